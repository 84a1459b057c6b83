// The oracle's answer as a mutable, reusable record of numbers: linuxDecide (tuple.ts) fills it
// without allocating, so that a loop over millions of datagrams builds no strings and no
// objects. Reasons are words for reports: a Decision made with `explain` collects them (and
// every rule application, repeats included); one made without leaves them empty, and every
// reason template on the way is written `x && \`...\`` so it is not even evaluated.
// linuxVerdict (tuple.ts) is linuxDecide with `explain` set, then decisionVerdict.
import type { Answer, Tuple } from '../../spec/contract.ts';
import { formatIPv4, formatIPv6, parseAddress } from '../../spec/address.ts';
import { RULE_IDS, type RuleId } from '../../spec/rules.ts';
import type { Outcome, Verdict } from './verdict.ts';

/** Outcome codes of Decision.outcome; OUTCOMES[code] is the Verdict's text. */
export const TRACKED = 0;
export const BUILT_UNCONFIRMED = 1;
export const INVALID = 2;
export const NOT_SEEN = 3;
export const OUTCOMES: readonly Outcome[] = ['tracked', 'built-unconfirmed', 'invalid', 'not-seen'];

function ruleIndex(id: RuleId): number {
  const i = RULE_IDS.indexOf(id);
  if (i < 0) throw new Error(`unknown rule ${id}`);
  return i;
}

/**
 * Index into RULE_IDS of each rule, under its ID: the stages cite a rule as R['GRE-4'].
 * A literal object (not built in a loop) so V8 gives it one fixed shape and the loads are
 * constant; `satisfies` makes a missing or mistyped ID a compile error.
 */
export const R = {
  'L3-2': ruleIndex('L3-2'), 'L3-2T': ruleIndex('L3-2T'), 'L3-3': ruleIndex('L3-3'), 'L3-4': ruleIndex('L3-4'),
  'L3-5': ruleIndex('L3-5'), 'L3-6': ruleIndex('L3-6'), 'L3-6T': ruleIndex('L3-6T'), 'L3-6H': ruleIndex('L3-6H'),
  'L3-7': ruleIndex('L3-7'), 'L3-8': ruleIndex('L3-8'), 'L3-8A': ruleIndex('L3-8A'), 'L3-8F': ruleIndex('L3-8F'),
  'L3-8N': ruleIndex('L3-8N'), 'L3-8S': ruleIndex('L3-8S'), 'L3-8O': ruleIndex('L3-8O'), 'L3-8E': ruleIndex('L3-8E'),
  'L3-9': ruleIndex('L3-9'), 'GRE-1': ruleIndex('GRE-1'), 'GRE-2': ruleIndex('GRE-2'), 'GRE-3': ruleIndex('GRE-3'),
  'GRE-4': ruleIndex('GRE-4'), 'GRE-5': ruleIndex('GRE-5'), 'GRE-6': ruleIndex('GRE-6'), 'GRE-7': ruleIndex('GRE-7'),
  'GRE-8': ruleIndex('GRE-8'), 'KM-2': ruleIndex('KM-2'), 'KM-3': ruleIndex('KM-3'), 'CT-1': ruleIndex('CT-1'),
} as const satisfies { readonly [K in RuleId]: number };

// The rule mask is one small integer (a V8 Smi holds 31 bits, so bit 30 would already turn it
// into a heap number): more rules than that need a second mask word.
if (RULE_IDS.length > 30) throw new Error(`Decision.ruleMask holds 30 rules, the catalogue has ${RULE_IDS.length}`);

/** A reason, or false when the Decision does not explain (the template was not evaluated). */
export type Why = string | false;

const EMPTY = new Uint8Array(0);

export class Decision {
  /** Collect reasons and every rule application (linuxVerdict's full text); off on the fast path. */
  explain: boolean;

  /** TRACKED, BUILT_UNCONFIRMED, INVALID or NOT_SEEN. */
  outcome = NOT_SEEN;
  /** Index into RULE_IDS of the rule that made the final decision. */
  decidedBy = 0;
  /** Bit i set: rule RULE_IDS[i] was applied. */
  ruleMask = 0;
  /** Rules applied, each once, in the order the kernel first applied them: ruleOrder[0 .. ruleCount). */
  readonly ruleOrder = new Uint8Array(32);
  ruleCount = 0;
  /** With `explain`: every application, repeats included (one L3-8 per extension header skipped). */
  readonly trail: number[] = [];
  /** Why, in words; '' unless `explain`. */
  reason = '';

  /** 4 or 6; 0 when the version nibble is neither. */
  family = 0;
  /** Bytes of the datagram conntrack sees, after the IP layer trimmed it; 0 when it never does. */
  seenLength = 0;
  /** Offset of the first L4 byte, or -1 when the L3 walk found none. */
  dataoff = -1;
  /** L4 protocol the L3 walk ended at, or -1. */
  l4proto = -1;

  /** The tuple (tracked or built-unconfirmed); the fields below are meaningful only when true. */
  hasTuple = false;
  proto = 0;
  srckey = 0;
  dstkey = 0;
  /**
   * Where the tuple's addresses are: the packet, or after an IPv6 atomic fragment was
   * reassembled, `scratch` (whose bytes the next decision may overwrite).
   */
  bytes: Uint8Array = EMPTY;
  srcOff = 0;
  dstOff = 0;
  /** Address length: 4 or 16. */
  alen = 0;

  /** nf_ct_frag6_reasm's output for an atomic fragment; grown on demand, then reused. */
  scratch: Uint8Array = EMPTY;
  // Working state of the IPv6 walks (ipv6_skip_exthdr, find_prev_fhdr), not part of the answer.
  extOffset = 0;
  extNexthdr = 0;
  extFragOff = 0;
  fragPrevOff = 0;

  constructor(explain = false) {
    this.explain = explain;
  }

  /** Forgets the previous datagram. */
  reset(): void {
    this.outcome = NOT_SEEN;
    this.decidedBy = 0;
    this.ruleMask = 0;
    this.ruleCount = 0;
    if (this.trail.length !== 0) this.trail.length = 0;
    this.reason = '';
    this.family = 0;
    this.seenLength = 0;
    this.dataoff = -1;
    this.l4proto = -1;
    this.hasTuple = false;
    this.proto = 0;
    this.srckey = 0;
    this.dstkey = 0;
    this.bytes = EMPTY;
    this.srcOff = 0;
    this.dstOff = 0;
    this.alen = 0;
  }

  /** The kernel applied rule `r` (an index into RULE_IDS; cite it as R['ID']). */
  add(r: number): void {
    const bit = 1 << r;
    if ((this.ruleMask & bit) === 0) {
      this.ruleMask |= bit;
      this.ruleOrder[this.ruleCount++] = r;
    }
    if (this.explain) this.trail.push(r);
  }

  has(r: number): boolean {
    return (this.ruleMask & (1 << r)) !== 0;
  }

  /** The final outcome and the rule that decided it; `why` false keeps the reason a stage wrote. */
  settle(outcome: number, r: number, why: Why): void {
    this.outcome = outcome;
    this.decidedBy = r;
    if (why !== false) this.reason = why;
  }

  /** Dropped or queued before the conntrack hook by rule `r`. Returns false, for `return d.drop(...)`. */
  drop(r: number, why: Why): false {
    this.add(r);
    this.settle(NOT_SEEN, r, why);
    this.seenLength = 0;
    return false;
  }

  /** Where nf_ct_get_tuple takes the addresses from. */
  addresses(b: Uint8Array, srcOff: number, dstOff: number, alen: number): void {
    this.bytes = b;
    this.srcOff = srcOff;
    this.dstOff = dstOff;
    this.alen = alen;
  }

  /** A tuple with the addresses set by addresses(). */
  tuple(outcome: number, proto: number, srckey: number, dstkey: number, r: number, why: Why): void {
    this.hasTuple = true;
    this.proto = proto;
    this.srckey = srckey;
    this.dstkey = dstkey;
    this.settle(outcome, r, why);
  }
}

function formatAddress(b: Uint8Array, off: number, alen: number): string {
  return alen === 4 ? formatIPv4(b, off) : formatIPv6(b, off);
}

/** The tuple as the contract spells it (address text), or null. */
export function decisionTuple(d: Decision): Tuple | null {
  if (!d.hasTuple) return null;
  return {
    src: formatAddress(d.bytes, d.srcOff, d.alen), dst: formatAddress(d.bytes, d.dstOff, d.alen),
    proto: d.proto, srckey: d.srckey, dstkey: d.dstkey,
  };
}

/** Rules applied, each once, in the order the kernel first applied them. */
export function decisionRules(d: Decision): RuleId[] {
  const out: RuleId[] = [];
  for (let i = 0; i < d.ruleCount; i++) out.push(RULE_IDS[d.ruleOrder[i]!]!);
  return out;
}

/**
 * The Verdict linuxVerdict returns. Complete only for a Decision made with `explain`: without
 * it the reason is '' and a rule applied more than once is listed once.
 */
export function decisionVerdict(d: Decision): Verdict {
  return {
    outcome: OUTCOMES[d.outcome]!,
    tuple: decisionTuple(d),
    rules: d.explain ? d.trail.map((i) => RULE_IDS[i]!) : decisionRules(d),
    decidedBy: RULE_IDS[d.decidedBy]!,
    reason: d.reason,
    family: d.family === 0 ? undefined : (d.family as 4 | 6),
    seenLength: d.seenLength,
    dataoff: d.dataoff < 0 ? undefined : d.dataoff,
    l4proto: d.l4proto < 0 ? undefined : d.l4proto,
  };
}

/**
 * answersAgree (runner/compare.ts) between the decision's tuple and an implementation's
 * answer, without formatting the decision's addresses: keys and protocol first, then the
 * answer's address text parsed to bytes (so any valid IPv6 spelling agrees, CONTRACT.md 1).
 */
export function decisionAgrees(d: Decision, answer: Answer): boolean {
  if (answer === null) return !d.hasTuple;
  if (!d.hasTuple || answer === undefined) return false;
  if (answer.proto !== d.proto || answer.srckey !== d.srckey || answer.dstkey !== d.dstkey) return false;
  return sameAddress(answer.src, d.bytes, d.srcOff, d.alen) && sameAddress(answer.dst, d.bytes, d.dstOff, d.alen);
}

function sameAddress(text: string, b: Uint8Array, off: number, alen: number): boolean {
  const a = parseAddress(text);
  if (!a || a.length !== alen) return false;
  for (let i = 0; i < alen; i++) if (a[i] !== b[off + i]) return false;
  return true;
}
