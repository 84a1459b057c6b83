// Comparing an implementation's answer with the oracle's: addresses as bytes (CONTRACT.md 1),
// so a different but equal IPv6 spelling is not a failure.
import { parseAddress } from '../spec/address.ts';
import type { Answer } from '../spec/contract.ts';

export type TupleField = 'answer' | 'src' | 'dst' | 'proto' | 'srckey' | 'dstkey';

/** The fields that differ; empty when the answers agree. 'answer' means one is null and the other not. */
export function diffAnswers(expected: Answer, actual: Answer): TupleField[] {
  if (expected === null || actual === null) return expected === actual ? [] : ['answer'];
  const out: TupleField[] = [];
  if (!sameAddress(expected.src, actual.src)) out.push('src');
  if (!sameAddress(expected.dst, actual.dst)) out.push('dst');
  if (expected.proto !== actual.proto) out.push('proto');
  if (expected.srckey !== actual.srckey) out.push('srckey');
  if (expected.dstkey !== actual.dstkey) out.push('dstkey');
  return out;
}

export function answersAgree(expected: Answer, actual: Answer): boolean {
  return diffAnswers(expected, actual).length === 0;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseAddress(a), y = parseAddress(b);
  if (!x || !y || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
