// Command-line parsing. A usage error is a UsageError (exit 3), never a verdict.
import { parseArgs } from 'node:util';
import { isRuleId, type RuleId } from '../spec/rules.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage:
  gre-conformance <impl> [options]          check an implementation against the Linux oracle
  gre-conformance --cmd "<command>" [options]
  gre-conformance fuzz <impl> [--duration 60s] [options]   time-budgeted run for CI
  gre-conformance oracle [--explain]        answer the NDJSON protocol on stdin/stdout as the oracle
  gre-conformance replay FILE <impl> [--expected FILE.expected.ndjson] [options]
                                            run <impl> over every GRE datagram of a capture
  gre-conformance corpus generate --count N --seed S --out FILE.pcap [--format pcap|pcapng] [--link raw|ethernet]
                                            write generated cases as a capture + FILE.expected.ndjson
  gre-conformance analyze FILE [--reporter text|json]   GRE flows, conntrack entries, tunnel collisions
  gre-conformance --list                    list the rule catalogue
  gre-conformance kernel [--runs N] [--seed S]   the suite with the live Linux kernel answering (root)
  gre-conformance lab nat | lab pptp        the seed's NAT scenario / real PPTP keymaps on the live kernel (root)

<impl> is a JS/TS module exporting toTuple (file or package folder), or an executable speaking
NDJSON on stdio (spec/CONTRACT.md). --cmd runs a shell command as the executable.

Options:
  --runs N            generated cases (default 10000)
  --seed S            seed of the generated cases (default: random, printed)
  --rule ID           only cases and vectors that exercise this rule (repeatable)
  --exclude ID        leave out cases and vectors that exercise this rule (repeatable)
  --replay CASE       run one case: seed:index[:path][@generators] or vector:<id>, as printed in a report
  --packet HEX        run one datagram given as hex (with --keymap JSON for a keymap)
  --keymap JSON       keymap for --packet: [{"src":..,"dst":..,"dstkey":..,"srckey":..}]
  --timeout MS        per-case timeout (default 2000)
  --jobs N            worker threads drawing generated cases ahead (default: one per CPU beyond
                      two, for runs of 500,000 cases or more and for fuzz; 0: this thread)
  --no-vectors        skip phase 1 (the catalogue's vectors)
  --metamorphic       the cheap tier without the oracle: answers must agree across edits that
                      cannot change them (IPv4 options added, v1 flags/seq/ack changed, ...)
  --reporter NAME[:FILE]  text (default), json, junit, tap or github; to FILE instead of
                      stdout when given (repeatable: --reporter text --reporter junit:report.xml)
  --save-failures DIR replay the failures saved in DIR first, then save this run's (a pcap and
                      an .expected.ndjson each, stable names: commit them)
  --known-divergences FILE  rules the implementation deliberately does not follow (one ID a line)
  --kernel VERSION    expected answers of that kernel generation (e.g. 4.19, 5.10, 6.18)
  --duration TIME     fuzz: time budget (e.g. 60s, 5m; default 60s); --runs also bounds it
  --max-failures N    fuzz: stop once failures were found under N distinct rules (default 1)
  --quiet             no per-rule table
  --verbose           also rules no case touched
  --help, --version

Exit codes: 0 conformant, 1 wrong answers, 2 the implementation misbehaved, 3 usage or internal error.
Colors follow the terminal; NO_COLOR turns them off.`;

export type ReporterName = 'text' | 'json' | 'junit' | 'tap' | 'github';
export interface ReporterSpec { readonly name: ReporterName; readonly file?: string }

export interface RunArgs {
  readonly command: 'run';
  readonly mode: 'suite' | 'fuzz';
  readonly reporters: readonly ReporterSpec[];
  readonly divergencesFile: string | undefined;
  readonly saveFailures: string | undefined;
  readonly kernel: string | undefined;
  readonly durationMs: number | undefined;
  readonly maxFailures: number;
  readonly target: { path: string } | { cmd: string };
  readonly runs: number;
  readonly seed: number | undefined;
  readonly rules: RuleId[];
  readonly exclude: RuleId[];
  readonly replay: string | undefined;
  readonly packet: string | undefined;
  readonly keymap: string | undefined;
  readonly timeoutMs: number;
  /** Generation worker threads; 'auto' decides from the run's size (cli/run.ts). */
  readonly jobs: number | 'auto';
  readonly vectors: boolean;
  readonly metamorphic: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

export type Args =
  | RunArgs
  | { readonly command: 'oracle'; readonly explain: boolean }
  | { readonly command: 'list'; readonly reporter: 'text' | 'json' }
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | { readonly command: 'tool'; readonly tool: 'corpus' | 'replay' | 'analyze' | 'kernel' | 'lab'; readonly argv: string[] };

function int(name: string, v: string | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function duration(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--duration takes a time like 90s, 5m or 1500ms, got ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

const REPORTERS: readonly ReporterName[] = ['text', 'json', 'junit', 'tap', 'github'];

function reporters(vs: string[] | undefined): ReporterSpec[] {
  const list = (vs ?? ['text']).map((v) => {
    const i = v.indexOf(':');
    const name = (i < 0 ? v : v.slice(0, i)) as ReporterName;
    if (!REPORTERS.includes(name)) throw new UsageError(`--reporter ${JSON.stringify(name)}: one of ${REPORTERS.join(', ')}`);
    const file = i < 0 ? undefined : v.slice(i + 1);
    if (file === '') throw new UsageError(`--reporter ${name}: give a file after the colon`);
    return file === undefined ? { name } : { name, file };
  });
  if (list.filter((r) => r.file === undefined).length > 1) throw new UsageError('only one reporter can write to stdout; give the others a file (--reporter junit:report.xml)');
  return list;
}

function ruleList(name: string, vs: string[] | undefined): RuleId[] {
  return (vs ?? []).flatMap((v) => v.split(',')).map((v) => {
    const id = v.trim();
    if (!isRuleId(id)) throw new UsageError(`--${name} ${JSON.stringify(id)} is not a rule ID (see --list)`);
    return id;
  });
}

export function parseCli(argv: string[]): Args {
  // Capture commands parse their own options (cli/corpus.ts, cli/replay-file.ts, cli/analyze.ts).
  const tool = argv[0];
  if (tool === 'corpus' || tool === 'replay' || tool === 'analyze' || tool === 'kernel' || tool === 'lab') return { command: 'tool', tool, argv: argv.slice(1) };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        runs: { type: 'string' }, seed: { type: 'string' }, rule: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true }, replay: { type: 'string' }, packet: { type: 'string' },
        keymap: { type: 'string' }, timeout: { type: 'string' }, 'no-vectors': { type: 'boolean' },
        reporter: { type: 'string', multiple: true }, quiet: { type: 'boolean' }, verbose: { type: 'boolean' },
        'known-divergences': { type: 'string' }, 'save-failures': { type: 'string' }, kernel: { type: 'string' }, duration: { type: 'string' },
        'max-failures': { type: 'string' }, metamorphic: { type: 'boolean' }, jobs: { type: 'string' },
        cmd: { type: 'string' }, list: { type: 'boolean' }, explain: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.help) return { command: 'help' };
  if (o.version) return { command: 'version' };
  const reps = reporters(o.reporter);
  if (o.list) {
    const r = reps[0]!.name;
    if (r !== 'text' && r !== 'json') throw new UsageError('--list prints text or json');
    return { command: 'list', reporter: r };
  }
  const fuzz = positionals[0] === 'fuzz';
  if (fuzz) positionals.shift();
  if (!fuzz && positionals[0] === 'oracle' && o.cmd === undefined) {
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])} after "oracle"`);
    return { command: 'oracle', explain: !!o.explain };
  }
  if (o.cmd !== undefined && positionals.length > 0) throw new UsageError('give either an implementation path or --cmd, not both');
  if (o.cmd === undefined && positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'no implementation given (a module path, an executable, or --cmd "...")' : `one implementation at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (o.replay !== undefined && o.packet !== undefined) throw new UsageError('--replay and --packet do not go together');
  if (o.keymap !== undefined && o.packet === undefined) throw new UsageError('--keymap goes with --packet');
  if (o.kernel !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(o.kernel)) throw new UsageError(`--kernel takes a version like 4.19, 5.10 or 6.18.44, got ${JSON.stringify(o.kernel)}`);
  if (!fuzz && (o.duration !== undefined || o['max-failures'] !== undefined)) throw new UsageError('--duration and --max-failures go with the fuzz command');
  return {
    command: 'run',
    mode: fuzz ? 'fuzz' : 'suite',
    reporters: reps,
    divergencesFile: o['known-divergences'],
    saveFailures: o['save-failures'],
    kernel: o.kernel,
    durationMs: fuzz ? duration(o.duration) ?? 60000 : undefined,
    maxFailures: int('max-failures', o['max-failures'], 1, 1),
    target: o.cmd !== undefined ? { cmd: o.cmd } : { path: positionals[0]! },
    runs: int('runs', o.runs, fuzz ? Number.MAX_SAFE_INTEGER : 10000, 0),
    seed: o.seed === undefined ? undefined : int('seed', o.seed, 0, -2147483648, 2147483647),
    rules: ruleList('rule', o.rule),
    exclude: ruleList('exclude', o.exclude),
    replay: o.replay,
    packet: o.packet,
    keymap: o.keymap,
    timeoutMs: int('timeout', o.timeout, 2000, 1),
    jobs: o.jobs === undefined || o.jobs === 'auto' ? 'auto' : int('jobs', o.jobs, 0, 0, 64),
    vectors: !o['no-vectors'],
    metamorphic: !!o.metamorphic,
    quiet: !!o.quiet,
    verbose: !!o.verbose,
  };
}
