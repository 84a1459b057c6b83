// `gre-conformance kernel`: the property suite with the live Linux kernel answering, i.e. the
// oracle checked against the kernel (lab/kernel-suite.ts). Same report as for an
// implementation, then the throughput and the rules the run covered.
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { isRuleId, type RuleId } from '../spec/rules.ts';
import { fromHex } from '../runner/hex.ts';
import { exitCodeOf } from '../runner/report.ts';
import { renderReport, type ReporterName } from '../report/render.ts';
import { labAvailable } from '../lab/available.ts';
import { KEYMAP_RULES, runKernelSuite, type KernelSuiteResult } from '../lab/kernel-suite.ts';
import { LabError } from '../lab/types.ts';
import { UsageError } from './args.ts';
import { progressLine, shellQuote, useColor } from './terminal.ts';

export const KERNEL_USAGE = `Usage: gre-conformance kernel [options]
  The property suite with the live Linux kernel answering instead of an implementation: every
  generated datagram is injected into a network namespace with conntrack on, and the tuple the
  kernel built is compared with the oracle's. Needs root on Linux with ip, nft, conntrack and
  python3 (apt-get install -y iproute2 nftables conntrack python3).

  Cases have no PPTP keymap (the lab's kernel has none; see "gre-conformance lab pptp"), so
  GRE-6, KM-2 and KM-3 are not exercised here.

Options:
  --runs N            generated cases (default 100000)
  --seed S            seed (default: random, printed)
  --rule ID / --exclude ID   as for an implementation (repeatable)
  --replay CASE       one case, seed:index[:path][@generators] as printed in a report
  --packet HEX        one datagram
  --no-vectors        skip the catalogue's vectors
  --batch N           datagrams per kernel batch (default 4096)
  --reporter NAME[:FILE]  text (default), json, junit, tap or github (repeatable)
  --quiet, --verbose`;

const REPORTERS: readonly ReporterName[] = ['text', 'json', 'junit', 'tap', 'github'];

interface KernelArgs {
  runs: number;
  seed: number;
  rules: RuleId[];
  exclude: RuleId[];
  replay?: string;
  packet?: Uint8Array;
  vectors: boolean;
  batch: number;
  reporters: { name: ReporterName; file?: string }[];
  quiet: boolean;
  verbose: boolean;
}

function whole(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parse(argv: string[]): KernelArgs | 'help' {
  let p;
  try {
    p = parseArgs({
      args: argv, allowPositionals: false,
      options: {
        runs: { type: 'string' }, seed: { type: 'string' }, rule: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true }, replay: { type: 'string' }, packet: { type: 'string' },
        'no-vectors': { type: 'boolean' }, batch: { type: 'string' }, reporter: { type: 'string', multiple: true },
        quiet: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`kernel: ${(e as Error).message}`);
  }
  const o = p.values;
  if (o.help) return 'help';
  const rules = (name: string, vs: string[] | undefined) => (vs ?? []).flatMap((v) => v.split(',')).map((v) => {
    if (!isRuleId(v.trim())) throw new UsageError(`--${name} ${JSON.stringify(v)} is not a rule ID (see --list)`);
    return v.trim() as RuleId;
  });
  const reporters = (o.reporter ?? ['text']).map((v) => {
    const i = v.indexOf(':');
    const name = (i < 0 ? v : v.slice(0, i)) as ReporterName;
    if (!REPORTERS.includes(name)) throw new UsageError(`--reporter ${JSON.stringify(name)}: one of ${REPORTERS.join(', ')}`);
    return i < 0 ? { name } : { name, file: v.slice(i + 1) };
  });
  if (reporters.filter((r) => r.file === undefined).length > 1) throw new UsageError('only one reporter can write to stdout');
  if (o.replay !== undefined && o.packet !== undefined) throw new UsageError('--replay and --packet do not go together');
  let packet: Uint8Array | undefined;
  if (o.packet !== undefined) {
    packet = fromHex(o.packet);
    if (!packet) throw new UsageError('--packet takes the datagram as hex (e.g. 4500001c...)');
  }
  const asked = rules('rule', o.rule);
  const keymapOnly = asked.filter((r) => KEYMAP_RULES.includes(r));
  if (keymapOnly.length > 0) throw new UsageError(`--rule ${keymapOnly.join(', ')}: needs a PPTP keymap, which the kernel lab only has through the helper (gre-conformance lab pptp)`);
  return {
    runs: whole('runs', o.runs, 100000, 0, Number.MAX_SAFE_INTEGER),
    seed: o.seed === undefined ? randomInt(0, 2 ** 31 - 1) : whole('seed', o.seed, 0, -2147483648, 2147483647),
    rules: asked, exclude: rules('exclude', o.exclude),
    ...(o.replay !== undefined ? { replay: o.replay } : {}),
    ...(packet ? { packet } : {}),
    vectors: !o['no-vectors'],
    batch: whole('batch', o.batch, 4096, 1, 65535),
    reporters, quiet: !!o.quiet, verbose: !!o.verbose,
  };
}

/** The lines printed after the report: throughput, coverage, what the lab could not do. */
export function kernelSummary(r: KernelSuiteResult, seed: number): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const rate = (n: number, ms: number) => (ms > 0 ? Math.round(n / (ms / 1000)) : 0).toLocaleString('en-US');
  const t = r.report.totals;
  const lines = [
    `kernel: Linux ${r.kernel}, seed ${seed}`,
    (r.report.runs === 1 && t.vectors === 0
      ? `verified: ${t.cases} datagram against the live kernel, ${t.failures} disagreements`
      : `verified: ${t.cases.toLocaleString('en-US')} generated datagrams and ${t.vectors} vectors against the live kernel, ${t.failures + t.vectorFailures} disagreements`) +
      (t.skipped ? ` (${t.skipped} generated cases out of the oracle's scope not sent)` : ''),
    `throughput: ${rate(r.verified, r.wallMs)} datagrams verified per second (${r.verified.toLocaleString('en-US')} in ${s(r.wallMs)} s, lab set-up included); ` +
      `the kernel answered ${r.packets.toLocaleString('en-US')} datagrams in ${s(r.kernelMs)} s of lab time, ${rate(r.packets, r.kernelMs)}/s`,
    `lab: ${r.lab.batches} batches, ${r.lab.retries} re-sent after frame loss, ${r.lab.alone} datagrams re-sent alone`,
    r.uncovered.length ? `not covered by this run: ${r.uncovered.join(', ')}` : 'coverage: every rule except the keymap rules (GRE-6, KM-2, KM-3) and CT-1 (reply tuple, not in the answer)',
    'keymaps: none here (the lab\'s kernel has an empty PPTP keymap); GRE-6, KM-2, KM-3 against the kernel: gre-conformance lab pptp',
  ];
  if (r.anomalies.length) lines.push(`lab anomalies (${r.anomalies.length}): ${r.anomalies.slice(0, 3).join('; ')}`);
  return lines.join('\n');
}

export async function kernelCommand(argv: string[]): Promise<number> {
  const a = parse(argv);
  if (a === 'help') { process.stdout.write(KERNEL_USAGE + '\n'); return 0; }
  const avail = await labAvailable();
  if (!avail.ok) {
    process.stderr.write(`gre-conformance kernel: ${avail.reason}\n  to run it: ${avail.install}\n`);
    return 3;
  }
  const replayCommand = (caseId: string) => ['npx', 'gre-conformance', 'kernel', '--replay', caseId].map(shellQuote).join(' ');
  const packetReplay = () => ['npx', 'gre-conformance', 'kernel', '--packet', Buffer.from(a.packet!).toString('hex')].map(shellQuote).join(' ');
  const progress = progressLine(process.stderr);
  let r: KernelSuiteResult;
  try {
    r = await runKernelSuite({
      seed: a.seed, runs: a.runs, rules: a.rules, exclude: a.exclude, vectors: a.vectors, batchSize: a.batch,
      ...(a.packet ? { single: { packet: a.packet } } : a.replay !== undefined ? { single: { caseId: a.replay } } : {}),
      replayCommand: a.packet ? packetReplay : replayCommand,
      onProgress: (p) => progress(`${p.phase} ${p.done}/${p.total}, ${p.failures} disagreements`),
    });
  } catch (e) {
    progress.clear();
    if (e instanceof LabError) {
      process.stderr.write(`gre-conformance kernel: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
  progress.clear();
  const summary = kernelSummary(r, a.seed);
  let summaryShown = false;
  for (const rep of a.reporters) {
    const text = renderReport(rep.name, r.report, { color: rep.file === undefined && useColor(process.stdout), quiet: a.quiet, verbose: a.verbose });
    if (rep.file === undefined) {
      process.stdout.write(text + '\n');
      if (rep.name === 'text') { process.stdout.write(summary + '\n'); summaryShown = true; }
    } else {
      try { await writeFile(rep.file, text + '\n'); } catch (e) { throw new UsageError(`cannot write the ${rep.name} report to ${rep.file}: ${(e as Error).message}`); }
    }
  }
  // Machine-readable reporters own stdout: the summary goes to stderr then.
  if (!summaryShown) process.stderr.write(summary + '\n');
  return exitCodeOf(r.report);
}
