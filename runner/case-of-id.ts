// A case id as a report prints it, back to its case: parsed, its generators checked, regenerated
// from (seed, index) and walked along its shrink path. The CLI's --replay, checkConformance and
// the kernel lab's --replay all go through here.
import type { KeymapEntry } from '../spec/contract.ts';
import { parseCaseId, replayCase, type CaseRef } from './case-id.ts';
import { generatorsFingerprint, type FingerprintedSpace } from './generators-fingerprint.ts';

export class CaseIdError extends Error {
  override readonly name = 'CaseIdError';
}

export interface CaseOfId<T> {
  readonly ref: CaseRef;
  readonly value: T;
  readonly packet: Uint8Array;
  readonly keymap: KeymapEntry[];
}

export function caseOfId<T>(space: FingerprintedSpace<T>, text: string): CaseOfId<T> {
  const ref = parseCaseId(text);
  if (!ref) throw new CaseIdError(`${JSON.stringify(text)} is not a case id: seed:index[:path][@generators], as a report prints it`);
  if (ref.generators !== undefined) {
    const here = generatorsFingerprint(space);
    if (ref.generators !== here) {
      throw new CaseIdError(`case ${text} was drawn by generators ${ref.generators}, these are ${here}: here the id names another packet. `
        + 'Replay the datagram itself (the report\'s packet hex), or use the version that printed the id.');
    }
  }
  const v = replayCase(space.arbitrary, ref);
  if (!v) throw new CaseIdError(`case ${text}: the shrink path does not exist for this version of the generators`);
  const { packet, keymap } = space.encode(v.value);
  return { ref, value: v.value, packet, keymap };
}
