// Oracle versus kernel for one observation, on the datagram actually sent. The contract maps
// tracked and built-unconfirmed to the tuple, invalid and not-seen to null (CONTRACT.md 1), so
// that is what must agree; a different outcome with the same answer is reported apart, because
// routing after PREROUTING (e.g. an IPv6 multicast destination nobody joined) can keep a tracked
// tuple from being confirmed without changing the answer.
import { linuxVerdict, type Verdict } from '../oracles/index.ts';
import { diffAnswers, type TupleField } from '../runner/compare.ts';
import type { KernelObservation } from './lab.ts';

export interface LabDisagreement {
  /** Fields of the contract answer that differ; empty when only the outcome kind differs. */
  fields: TupleField[];
  oracle: Verdict;
  kernel: KernelObservation;
}

/** undefined when oracle and kernel agree on outcome and tuple. */
export function compareWithOracle(kernel: KernelObservation): LabDisagreement | undefined {
  const oracle = linuxVerdict(kernel.sentPacket);
  const fields = diffAnswers(oracle.tuple, kernel.tuple);
  if (fields.length === 0 && oracle.outcome === kernel.outcome) return undefined;
  return { fields, oracle, kernel };
}
