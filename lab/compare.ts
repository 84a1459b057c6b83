// Oracle versus kernel for one observation, on the datagram actually sent. The contract maps
// tracked and built-unconfirmed to the tuple, invalid and not-seen to null (CONTRACT.md 1), so
// the tuple or null is what must agree (kind 'answer'). The outcome kind is compared too: a
// difference with the same answer is kind 'outcome'. Differences the lab expects, and says
// why, carry `expected`; they are not findings.
import { inOracleScope, linuxVerdict, type Verdict } from '../oracles/index.ts';
import { diffAnswers, type TupleField } from '../runner/compare.ts';
import type { KernelObservation } from './types.ts';

export interface LabDisagreement {
  kind: 'answer' | 'outcome';
  /** Fields of the contract answer that differ ('answer' when one side is null); empty for kind 'outcome'. */
  fields: TupleField[];
  oracle: Verdict;
  kernel: KernelObservation;
  /** Why the lab expects this difference; absent for a real disagreement. */
  expected?: string;
}

/** undefined when oracle and kernel agree on outcome and tuple. */
export function compareWithOracle(kernel: KernelObservation): LabDisagreement | undefined {
  const oracle = linuxVerdict(kernel.sentPacket);
  const fields = diffAnswers(oracle.tuple, kernel.tuple);
  if (fields.length === 0 && oracle.outcome === kernel.outcome) return undefined;
  const d: LabDisagreement = { kind: fields.length ? 'answer' : 'outcome', fields, oracle, kernel };
  const expected = expectedBecause(d);
  return expected ? { ...d, expected } : d;
}

function expectedBecause(d: LabDisagreement): string | undefined {
  const { oracle, kernel } = d;
  if (!inOracleScope(oracle.l4proto)) {
    return `out of the suite's scope: protocol ${oracle.l4proto} has a tracker of its own (CONTRACT.md 3)`;
  }
  // ip6_mc_input drops a multicast datagram for a group the receiver has not joined, after
  // PREROUTING: conntrack built the tuple, which is never confirmed. The lab keeps such
  // destinations (they are what L3-6 decides on) and joins no group.
  if (d.kind === 'outcome' && oracle.outcome === 'tracked' && kernel.outcome === 'built-unconfirmed' && oracle.family === 6 && kernel.sentPacket[24] === 0xff) {
    return 'IPv6 multicast destination: routing drops it after PREROUTING, the receiver joined no group';
  }
  return undefined;
}
