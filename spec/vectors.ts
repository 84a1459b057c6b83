// The catalogue's hand-written vectors: every single-datagram row observed live in section 8 of
// ../shared/reference/linux-gre-conntrack.md, plus vectors reasoned from the kernel so that every
// rule of spec/rules.ts has at least two. Each vector is one behaviour, tied to rule IDs.
import { RULE_IDS, type RuleId } from './rules.ts';
import type { KeymapEntry, Tuple } from './contract.ts';
import type { Vector } from './vectors/types.ts';
import { LIVE } from './vectors/live.ts';
import { IPV4 } from './vectors/ipv4.ts';
import { IPV6_INPUT } from './vectors/ipv6-input.ts';
import { IPV6_WALK } from './vectors/ipv6-walk.ts';
import { GRE } from './vectors/gre.ts';
import { KEYMAP } from './vectors/keymap.ts';

export type { Vector, VectorExpect, VectorOutcome } from './vectors/types.ts';

export const VECTORS: readonly Vector[] = [...LIVE, ...IPV4, ...IPV6_INPUT, ...IPV6_WALK, ...GRE, ...KEYMAP];

/** Vectors per rule, in registry order; a rule no vector cites maps to an empty list. */
export function vectorsByRule(vectors: readonly Vector[] = VECTORS): Map<RuleId, Vector[]> {
  const m = new Map<RuleId, Vector[]>(RULE_IDS.map((id) => [id, []]));
  for (const v of vectors) for (const r of new Set(v.rules)) m.get(r)?.push(v);
  return m;
}

/** The datagram of a vector as bytes. */
export function vectorBytes(v: Pick<Vector, 'packet'>): Uint8Array {
  return Uint8Array.from(v.packet.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** One vector as a fixed case with a pinned answer (the tuple, or null): what a runner compares an implementation with. */
export interface VectorCase {
  readonly id: string;
  readonly rules: readonly RuleId[];
  readonly packet: string;
  readonly keymap?: readonly KeymapEntry[];
  readonly expect: Tuple | null;
}

export function vectorCases(vectors: readonly Vector[] = VECTORS): VectorCase[] {
  return vectors.map((v) => ({ id: v.id, rules: v.rules, packet: v.packet, ...(v.keymap ? { keymap: v.keymap } : {}), expect: v.expect.tuple }));
}
