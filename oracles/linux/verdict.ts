import type { RuleId } from '../../spec/rules.ts';
import type { Tuple } from '../../spec/contract.ts';

/**
 * The kernel's distinct outcomes (reference sheet, "Outcomes"):
 * - tracked: an entry with this original tuple is created or matched;
 * - built-unconfirmed: nf_conntrack_in built the tuple, the IP layer dropped the datagram
 *   after PREROUTING, so the entry never shows in the table;
 * - invalid: nf_conntrack_in ran and attached nothing (the `invalid` counter goes up);
 * - not-seen: dropped or queued before the conntrack hook.
 * The contract answer is the tuple for the first two and null for the last two.
 */
export type Outcome = 'tracked' | 'built-unconfirmed' | 'invalid' | 'not-seen';

export interface Verdict {
  readonly outcome: Outcome;
  readonly tuple: Tuple | null;
  /** Rules this datagram exercised, in the order the kernel applied them. */
  readonly rules: readonly RuleId[];
  /** The rule that made the final decision. */
  readonly decidedBy: RuleId;
  /** Why, in words, for reports. */
  readonly reason: string;
  readonly family: 4 | 6 | undefined;
  /** Bytes of the datagram conntrack sees, after the IP layer trimmed it. */
  readonly seenLength: number;
  /** Offset of the first L4 (GRE) byte, when the L3 walk found one. */
  readonly dataoff: number | undefined;
  /** L4 protocol the L3 walk ended at. */
  readonly l4proto: number | undefined;
}
