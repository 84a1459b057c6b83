// The .expected.ndjson format: one JSON object per line, one line per GRE datagram of a capture,
// keys always in the same order, so files diff well and the same input gives the same bytes.
// Used by generated corpora, the pinned corpus and saved failures alike. Pure: no I/O.
import type { Answer, KeymapEntry } from '../spec/contract.ts';
import { isRuleId, type RuleId } from '../spec/rules.ts';
import { answerShapeError, keymapShapeError, toAnswer } from '../spec/answer-shape.ts';
import type { Outcome } from '../oracles/index.ts';

/** 'unknown': the snapshot length cut bytes the kernel reads, so no answer is pinned. */
export type LineOutcome = Outcome | 'unknown';

export interface ExpectedLine {
  /** Index of the record in the capture (0-based, as CaptureRecord.index). */
  readonly index: number;
  /** File offset of the record (pinned captures). */
  readonly offset?: number;
  /** How the suite names the case: `seed:index` for a generated corpus, the original id for a saved failure. */
  readonly caseId?: string;
  /** Saved failures: the rule the failure was put on. */
  readonly rule?: RuleId;
  /** How the datagram was carried (ipDatagramOf's l2), pinned captures. */
  readonly l2?: string;
  /** The captured IP datagram, lowercase hex. */
  readonly packet: string;
  /** Length on the wire, only when the snapshot length cut the record. */
  readonly wireLength?: number;
  readonly keymap: readonly KeymapEntry[];
  /** The answer; absent when the outcome is 'unknown'. */
  readonly expected?: Answer;
  readonly outcome: LineOutcome;
  /** Rules the datagram exercised, in the order the kernel applied them, each once. */
  readonly rules: readonly RuleId[];
  readonly decidedBy?: RuleId;
  /** Why the answer is unknown (unknown lines), or the oracle's reason (saved failures). */
  readonly reason?: string;
  /** describeCase() of a generated case. */
  readonly description?: string;
}

const KEY_ORDER = ['index', 'offset', 'caseId', 'rule', 'l2', 'packet', 'wireLength', 'keymap', 'expected', 'outcome', 'rules', 'decidedBy', 'reason', 'description'] as const;
const OUTCOMES: readonly LineOutcome[] = ['tracked', 'built-unconfirmed', 'invalid', 'not-seen', 'unknown'];

/** One line, without the newline: keys in a fixed order, absent fields left out. */
export function formatExpectedLine(line: ExpectedLine): string {
  const o: Record<string, unknown> = {};
  for (const k of KEY_ORDER) {
    const v = line[k];
    if (v === undefined) continue;
    o[k] = k === 'expected' && v !== null ? tupleInOrder(v as NonNullable<Answer>) : k === 'keymap' ? (v as KeymapEntry[]).map(keymapInOrder) : v;
  }
  return JSON.stringify(o);
}

export function formatExpectedFile(lines: readonly ExpectedLine[]): string {
  return lines.map((l) => formatExpectedLine(l) + '\n').join('');
}

function tupleInOrder(t: NonNullable<Answer>): NonNullable<Answer> {
  return { src: t.src, dst: t.dst, proto: t.proto, srckey: t.srckey, dstkey: t.dstkey };
}

function keymapInOrder(e: KeymapEntry): KeymapEntry {
  return { src: e.src, dst: e.dst, dstkey: e.dstkey, srckey: e.srckey };
}

export class ExpectedFileError extends Error {
  override readonly name = 'ExpectedFileError';
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** Parses a whole file; every problem is an ExpectedFileError naming the file and line. */
export function parseExpectedFile(text: string, file: string): ExpectedLine[] {
  const out: ExpectedLine[] = [];
  const rows = text.split('\n');
  rows.forEach((row, i) => {
    if (row.trim() === '') return;
    out.push(parseExpectedLine(row, file, i + 1));
  });
  return out;
}

export function parseExpectedLine(row: string, file: string, lineNo: number): ExpectedLine {
  const fail = (detail: string): never => { throw new ExpectedFileError(file, lineNo, detail); };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(row) as Record<string, unknown>;
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return fail('a line must be a JSON object');
  const int = (k: string) => { const v = o[k]; if (!Number.isSafeInteger(v) || (v as number) < 0) fail(`"${k}" must be a whole number >= 0`); return v as number; };
  const str = (k: string) => { const v = o[k]; if (typeof v !== 'string') fail(`"${k}" must be a string`); return v as string; };
  const rule = (v: unknown, what: string): RuleId => (typeof v === 'string' && isRuleId(v) ? v : fail(`${what} ${JSON.stringify(v)} is not a rule ID`));
  const index = int('index');
  const packet = str('packet');
  if (!/^(?:[0-9a-f]{2})*$/.test(packet)) fail('"packet" must be lowercase hex, two digits a byte');
  const keymap = o.keymap ?? [];
  const kErr = keymapShapeError(keymap);
  if (kErr) fail(`"keymap": ${kErr}`);
  const outcome = o.outcome as LineOutcome;
  if (!OUTCOMES.includes(outcome)) fail(`"outcome" must be one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(o.outcome)}`);
  let expected: Answer | undefined;
  if (outcome === 'unknown') {
    if (o.expected !== undefined) fail('an "unknown" line has no "expected" answer');
  } else {
    if (!('expected' in o)) fail('"expected" is missing (null or a tuple)');
    const aErr = answerShapeError(o.expected);
    if (aErr) fail(`"expected": ${aErr}`);
    expected = toAnswer(o.expected);
  }
  if (!Array.isArray(o.rules)) fail('"rules" must be a list of rule IDs');
  const rules = (o.rules as unknown[]).map((r) => rule(r, 'rules:'));
  const line: ExpectedLine = {
    index,
    ...(o.offset !== undefined ? { offset: int('offset') } : {}),
    ...(o.caseId !== undefined ? { caseId: str('caseId') } : {}),
    ...(o.rule !== undefined ? { rule: rule(o.rule, '"rule"') } : {}),
    ...(o.l2 !== undefined ? { l2: str('l2') } : {}),
    packet,
    ...(o.wireLength !== undefined ? { wireLength: int('wireLength') } : {}),
    keymap: keymap as KeymapEntry[],
    ...(expected !== undefined ? { expected } : {}),
    outcome,
    rules,
    ...(o.decidedBy !== undefined ? { decidedBy: rule(o.decidedBy, '"decidedBy"') } : {}),
    ...(o.reason !== undefined ? { reason: str('reason') } : {}),
    ...(o.description !== undefined ? { description: str('description') } : {}),
  };
  return line;
}

/** Where a capture's expected answers live beside it: `dir/name.pcap` -> `dir/name.expected.ndjson`. */
export function expectedPathOf(capture: string): string {
  return capture.replace(/\.(pcapng|pcap|cap)$/i, '') + '.expected.ndjson';
}
