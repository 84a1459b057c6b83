// The pinned answers of a capture: one ExpectedLine per GRE datagram, from the Linux oracle.
// Records the snapshot length cut are pinned as 'unknown' when the kernel reads bytes that were
// not captured (the answer is never guessed).
import { readCapture, ipDatagramOf, linkTypeName, type CaptureInput } from '../capture/index.ts';
import type { KeymapEntry } from '../spec/contract.ts';
import { ruleOrder, type RuleId } from '../spec/rules.ts';
import { toHex } from '../runner/hex.ts';
import { capturedVerdict, greByHeader } from './gre-datagram.ts';
import type { ExpectedLine } from './expected-file.ts';

export interface CaptureSummary {
  readonly records: number;
  /** Records the snapshot length cut (caplen < origlen). */
  readonly truncated: number;
  /** Records that carry an IP datagram. */
  readonly ip: number;
  /** IP datagrams whose header (chain) says GRE: each has a line. */
  readonly gre: number;
  /** GRE datagrams whose answer cannot be known (cut before the bytes the kernel reads). */
  readonly unknown: number;
  /** Link types seen, as linkTypeName prints them. */
  readonly linkTypes: readonly string[];
  /** Every rule the GRE datagrams exercised, in pipeline order. */
  readonly rules: readonly RuleId[];
  /** Lines per outcome. */
  readonly outcomes: Readonly<Record<string, number>>;
}

export interface PinnedCapture {
  readonly lines: ExpectedLine[];
  readonly summary: CaptureSummary;
}

export function uniqueRules(rules: readonly RuleId[]): RuleId[] {
  return [...new Set(rules)];
}

/** The expected line of one captured GRE datagram. */
export function pinDatagram(
  where: { index: number; offset?: number; l2?: string }, ip: Uint8Array, wireLength: number, keymap: readonly KeymapEntry[] = [],
): ExpectedLine {
  const v = capturedVerdict(ip, wireLength, keymap);
  const base = {
    index: where.index,
    ...(where.offset !== undefined ? { offset: where.offset } : {}),
    ...(where.l2 !== undefined ? { l2: where.l2 } : {}),
    packet: toHex(ip),
    ...(wireLength > ip.length ? { wireLength } : {}),
    keymap,
  };
  if (!v.known) return { ...base, outcome: 'unknown', rules: [], reason: v.reason };
  return { ...base, expected: v.verdict.tuple, outcome: v.verdict.outcome, rules: uniqueRules(v.verdict.rules), decidedBy: v.verdict.decidedBy };
}

export interface PinOptions {
  /** Name used in errors when reading a stream. */
  readonly name?: string;
  /** The keymap of the record with this index (default none): keymaps are input, kept by the pinned file. */
  readonly keymapOf?: (index: number) => readonly KeymapEntry[];
}

/** Reads a capture and pins every GRE datagram in it. Throws CaptureError for a broken file. */
export async function pinCapture(input: CaptureInput, opts: PinOptions = {}): Promise<PinnedCapture> {
  const lines: ExpectedLine[] = [];
  let records = 0, truncated = 0, ip = 0, unknown = 0;
  const linkTypes = new Set<string>();
  const rules = new Set<RuleId>();
  const outcomes: Record<string, number> = {};
  for await (const r of readCapture(input, opts.name !== undefined ? { name: opts.name } : {})) {
    records++;
    linkTypes.add(linkTypeName(r.linkType));
    if (r.caplen < r.origlen) truncated++;
    const d = ipDatagramOf(r);
    if ('skip' in d) continue;
    ip++;
    if (!greByHeader(d.ip)) continue;
    const line = pinDatagram({ index: r.index, offset: r.offset, l2: d.l2 }, d.ip, d.wireLength, opts.keymapOf?.(r.index) ?? []);
    if (line.outcome === 'unknown') unknown++;
    for (const rule of line.rules) rules.add(rule);
    outcomes[line.outcome] = (outcomes[line.outcome] ?? 0) + 1;
    lines.push(line);
  }
  return {
    lines,
    summary: {
      records, truncated, ip, gre: lines.length, unknown,
      linkTypes: [...linkTypes].sort(),
      rules: [...rules].sort((a, b) => ruleOrder(a) - ruleOrder(b)),
      outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
