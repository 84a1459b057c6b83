// `gre-conformance analyze FILE [--reporter text|json] [--packets]`: the GRE flows of a capture,
// the conntrack tuple and entry each gets, and the tunnels that collapse into one entry.
import { parseArgs } from 'node:util';
import { CaptureError } from '../capture/index.ts';
import { analyzeCapture } from '../corpus-tools/analyze.ts';
import { analysisJson, formatAnalysisText } from '../corpus-tools/analyze-text.ts';
import { UsageError } from './args.ts';

export const ANALYZE_USAGE = `Usage: gre-conformance analyze FILE [--reporter text|json] [--packets]

The GRE flows in a capture (pcap or pcapng) through Linux conntrack's eyes: outer addresses,
GRE version, the RFC 2890 key of version 0 and the PPTP call id of version 1; the tuple each
datagram gets and the entries they make (as conntrack -L shows them); which distinct tunnels
collapse into one entry, with the NOTRACK workaround and its cost; flows conntrack counts
invalid or never sees. --packets also lists every datagram (text).`;

export async function analyzeCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { reporter: { type: 'string' }, packets: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.help) { process.stdout.write(ANALYZE_USAGE + '\n'); return 0; }
  if (positionals.length !== 1) throw new UsageError(`analyze takes one capture file, got ${positionals.length}`);
  const reporter = o.reporter ?? 'text';
  if (reporter !== 'text' && reporter !== 'json') throw new UsageError(`analyze: --reporter is text or json, got ${JSON.stringify(reporter)}`);
  let a;
  try {
    a = await analyzeCapture(positionals[0]!);
  } catch (e) {
    if (e instanceof CaptureError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${positionals[0]}: no such file`);
    throw e;
  }
  process.stdout.write((reporter === 'json' ? analysisJson(a) : formatAnalysisText(a, { packets: !!o.packets })) + '\n');
  return 0;
}
