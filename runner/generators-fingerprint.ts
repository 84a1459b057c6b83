// Which generators a case id belongs to. `seed:index:path` names a case only together with the
// code that draws, encodes and shrinks it: a change to a generator (another weight, a byte drawn
// differently) or to a shrinker (a new move shifts the positions a path counts) makes an old id
// name another packet, silently. The fingerprint is measured rather than declared, so no one has
// to remember to bump a version: the encoded packets of fixed sample cases and of their first
// shrinks, hashed. Two versions that draw and shrink those samples alike share a fingerprint.
import { createHash } from 'node:crypto';
import type fc from 'fast-check';
import type { KeymapEntry } from '../spec/contract.ts';
import { drawCase, generateCase } from './case-id.ts';

export interface FingerprintedSpace<T> {
  readonly arbitrary: fc.Arbitrary<T>;
  encode(c: T): { packet: Uint8Array; keymap: KeymapEntry[] };
}

// 1,000 cases under four seeds, early indexes (bias factor 2 and 3) and late ones (up to 10). A
// change confined to a branch none of them reaches goes unseen: one a case in 500 takes shows
// with a chance of 86%, one a case in 100 takes with 99.99%. Drawing and encoding them costs a
// few milliseconds, once per process.
const SAMPLES: readonly (readonly [number, number])[] = [0, 1, -7, 0x5eed].flatMap((seed) =>
  Array.from({ length: 250 }, (_, i) => [seed, i < 125 ? i : i * 1_000_003] as const));
// Cases whose shrinks are hashed too, and how many of each (shrink streams are lazy).
const SHRUNK: readonly (readonly [number, number])[] = [[0, 1234], [1, 99_999], [-7, 50]];
const SHRINKS = 24;

// By arbitrary, then by encoder: either one changing changes what an id names.
const known = new WeakMap<object, WeakMap<object, string>>();

/** 8 hex digits: enough to tell versions apart, short enough to read in an id (parseCaseId). */
export function generatorsFingerprint<T>(space: FingerprintedSpace<T>): string {
  let byEncoder = known.get(space.arbitrary);
  if (!byEncoder) known.set(space.arbitrary, byEncoder = new WeakMap());
  const hit = byEncoder.get(space.encode);
  if (hit) return hit;
  const h = createHash('sha256');
  const add = (value: T) => {
    const { packet, keymap } = space.encode(value);
    h.update(packet).update(JSON.stringify(keymap)).update('\n');
  };
  for (const [seed, index] of SAMPLES) add(drawCase(space.arbitrary, seed, index));
  for (const [seed, index] of SHRUNK) {
    const v = generateCase(space.arbitrary, seed, index);
    let n = 0;
    for (const s of space.arbitrary.shrink(v.value, v.context)) {
      add(s.value);
      if (++n === SHRINKS) break;
    }
    h.update(`shrinks ${n}\n`);
  }
  const fp = h.digest('hex').slice(0, 8);
  byEncoder.set(space.encode, fp);
  return fp;
}
