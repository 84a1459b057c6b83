// The shape of a hand-written vector and the small helpers the vector files share.
// A vector is one datagram (plus the keymap it meets) and what Linux conntrack makes of it,
// tied to the rule IDs of spec/rules.ts it exercises (test262-style: one behaviour each).
import type { KeymapEntry, Tuple } from '../contract.ts';
import type { RuleId } from '../rules.ts';

/** The kernel's four outcomes (reference sheet, "Outcomes"); the answer is the tuple for the first two. */
export type VectorOutcome = 'tracked' | 'built-unconfirmed' | 'invalid' | 'not-seen';

export interface VectorExpect {
  readonly outcome: VectorOutcome;
  /** The contract's answer: the original-direction tuple, or null for invalid and not-seen. */
  readonly tuple: Tuple | null;
}

export interface Vector {
  /** Descriptive kebab-case name of the behaviour, unique in the catalogue. */
  readonly id: string;
  /** Rules this datagram exercises; each is one the oracle reports for it (CT-1 is checked through `expectReply`). */
  readonly rules: readonly RuleId[];
  /** Hex of the whole IP datagram, lowercase, including any bytes past the IP length fields. */
  readonly packet: string;
  /** The PPTP keymap in insertion order; absent means empty. */
  readonly keymap?: KeymapEntry[];
  readonly expect: VectorExpect;
  /** The reply tuple of `expect.tuple` (CT-1: addresses and keys swapped). Required when `rules` has CT-1. */
  readonly expectReply?: Tuple;
  /** Rules this vector sits just outside of: the point is that they do not fire (DF is not a fragment, ...). */
  readonly boundaryOf?: readonly RuleId[];
  /** Where the expectation comes from, e.g. 'reference G05 [live]'. Absent: reasoned from the sheet and kernel source. */
  readonly source?: string;
  readonly note?: string;
}

/** Addresses of the reference sheet's lab (section 8). */
export const A = '192.0.2.1';
export const B = '192.0.2.2';
export const A6 = '2001:db8::1';
export const B6 = '2001:db8::2';
/** The same IPv6 addresses as the 16 bytes of the header, in hex. */
export const A6H = '20010db8000000000000000000000001';
export const B6H = '20010db8000000000000000000000002';

export function tracked(src: string, dst: string, srckey: number, dstkey: number): VectorExpect {
  return { outcome: 'tracked', tuple: { src, dst, proto: 47, srckey, dstkey } };
}

/** The generic tracker's tuple: an IPv6 walk that ended at another protocol (L3-8O). */
export function generic(src: string, dst: string, proto: number): VectorExpect {
  return { outcome: 'tracked', tuple: { src, dst, proto, srckey: 0, dstkey: 0 } };
}

export function unconfirmed(src: string, dst: string, srckey: number, dstkey: number): VectorExpect {
  return { outcome: 'built-unconfirmed', tuple: { src, dst, proto: 47, srckey, dstkey } };
}

export const INVALID: VectorExpect = { outcome: 'invalid', tuple: null };
export const NOT_SEEN: VectorExpect = { outcome: 'not-seen', tuple: null };

/** The keymap entry the PPTP helper adds for the sheet's session PNS A (call ID 0x0a0a) to PAC B (0x0b0b). */
export const K1_ORIG: KeymapEntry = { src: A, dst: B, dstkey: 0x0b0b, srckey: 0x0a0a };
/** Its reply-direction partner (KM-4): PAC B to PNS A. */
export const K1_REPLY: KeymapEntry = { src: B, dst: A, dstkey: 0x0a0a, srckey: 0x0b0b };
