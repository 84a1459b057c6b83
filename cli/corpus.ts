// `gre-conformance corpus generate --count N --seed S --out FILE.pcap [--format pcap|pcapng]
// [--link raw|ethernet] [--jobs N]`: generated cases as a capture plus FILE.expected.ndjson.
import { parseArgs } from 'node:util';
import { defaultCorpusJobs, generateCorpus } from '../corpus-tools/generate.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { UsageError } from './args.ts';
import { progressLine } from './terminal.ts';

export const CORPUS_USAGE = `Usage: gre-conformance corpus generate --count N --seed S --out FILE.pcap [options]

Writes N generated cases (case i is the suite's case S:i@generators) as a capture, and beside it
FILE.expected.ndjson: one line per packet with index, caseId, packet (hex), keymap, expected
answer, outcome, rules and a description. The same arguments give byte-identical files.

  --count N            packets (required)
  --seed S             seed (required; any 32-bit integer)
  --out FILE           the capture, named .pcap or .pcapng (required)
  --format pcap|pcapng default: from the name of --out
  --link raw|ethernet  raw IP (LINKTYPE 101, the default) or Ethernet frames
  --jobs N             threads generating: this one and N-1 workers (default: one per CPU, up to
                       4, for 250,000 packets or more, else 1; the output is the same)`;

function int(name: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined) throw new UsageError(`corpus generate: --${name} is required`);
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export async function corpusCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        count: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' },
        link: { type: 'string' }, jobs: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.help) { process.stdout.write(CORPUS_USAGE + '\n'); return 0; }
  if (positionals[0] !== 'generate' || positionals.length !== 1) throw new UsageError(`corpus: the subcommand is "generate" (got ${positionals.length ? JSON.stringify(positionals.join(' ')) : 'none'})`);
  const count = int('count', o.count, 0, 2 ** 32 - 1);
  const seed = int('seed', o.seed, -2147483648, 2147483647);
  const out = o.out;
  if (out === undefined) throw new UsageError('corpus generate: --out FILE.pcap is required');
  if (!/\.(pcap|pcapng)$/i.test(out)) throw new UsageError(`--out ${out}: name the capture .pcap or .pcapng (FILE.expected.ndjson goes beside it)`);
  const format = o.format ?? (/\.pcapng$/i.test(out) ? 'pcapng' : 'pcap');
  if (format !== 'pcap' && format !== 'pcapng') throw new UsageError(`--format is pcap or pcapng, got ${JSON.stringify(format)}`);
  const link = o.link ?? 'raw';
  if (link !== 'raw' && link !== 'ethernet') throw new UsageError(`--link is raw or ethernet, got ${JSON.stringify(link)}`);
  const jobs = o.jobs === undefined ? defaultCorpusJobs(count) : int('jobs', o.jobs, 1, 64);
  const progress = progressLine(process.stderr);
  let r;
  try {
    r = await generateCorpus({ count, seed, out, format, link, jobs, onProgress: (d, t) => progress(`generating: ${d}/${t}`) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  } finally {
    progress.clear();
  }
  const rate = r.ms > 0 ? Math.round(r.count / (r.ms / 1000)) : r.count;
  process.stdout.write(`wrote ${r.count} packet${r.count === 1 ? '' : 's'} to ${r.capture} (${format}, ${link === 'raw' ? 'raw IP' : 'Ethernet'}, ${r.captureBytes} bytes) and ${r.expected}\n` +
    `seed ${seed}: case i is the suite's case ${seed}:i@${generatorsFingerprint(defaultSpace)}; ${(r.ms / 1000).toFixed(2)} s, ${rate} packets/s` +
    (r.outOfScope ? `; ${r.outOfScope} out of the oracle's scope` : '') + '\n');
  // The output is the same either way; a user who finds it slow learns why.
  if (r.workers?.from === 'modules') process.stderr.write(`note: worker threads loaded their modules through tsx (slower to start): could not bundle them: ${r.workers.why}\n`);
  return 0;
}
