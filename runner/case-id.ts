// Case identity: `seed:index` names a generated case, `seed:index:p1:p2...` one of its shrinks
// (each p the position in the shrink stream taken at that step, as fast-check's replay path), and
// `@generators` the generators that drew it (runner/generators-fingerprint.ts). A step repeated n
// times in a row is written `pxn`: shrinking often takes the same position dozens of times (a
// length lowered byte by byte), and `7x29` reads better than 29 sevens.
// Every case is generated from its own PRNG seeded by (seed, index), so any case regenerates
// alone, without the cases before it.
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { drawerFor, type CaseRandom, type DrawerStatus } from './draw.ts';

export interface CaseRef {
  readonly seed: number;
  readonly index: number;
  readonly path: readonly number[];
  /**
   * The generators' fingerprint (runner/generators-fingerprint.ts) when the id carries one:
   * `seed:index:path@fingerprint`. Replaying checks it, so an id from another version of the
   * generators is refused instead of naming another packet.
   */
  readonly generators?: string;
}

export function formatCaseId(ref: CaseRef): string {
  let id = `${ref.seed}:${ref.index}`;
  const path = ref.path;
  for (let i = 0; i < path.length; ) {
    let n = 1;
    while (path[i + n] === path[i]) n++;
    // Runs of 3 or more are shorter as pxn.
    id += n >= 3 ? `:${path[i]}x${n}` : `:${path[i]}`.repeat(n);
    i += n;
  }
  return ref.generators === undefined ? id : `${id}@${ref.generators}`;
}

export function parseCaseId(text: string): CaseRef | undefined {
  const [body = '', generators, ...more] = text.trim().split('@');
  if (more.length > 0 || (generators !== undefined && !/^[0-9a-f]{8}$/.test(generators))) return undefined;
  const [seedText = '', indexText = '', ...steps] = body.split(':');
  if (!/^-?\d+$/.test(seedText) || !/^\d+$/.test(indexText)) return undefined;
  const seed = Number(seedText), index = Number(indexText);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(index)) return undefined;
  const path: number[] = [];
  for (const step of steps) {
    const m = /^(\d+)(?:x(\d+))?$/.exec(step);
    if (!m) return undefined;
    const times = m[2] === undefined ? 1 : Number(m[2]);
    // A shrink takes well under a million steps; a bigger count is not an id the suite printed.
    if (times < 1 || times > 1_000_000 || path.length + times > 1_000_000) return undefined;
    for (let k = 0; k < times; k++) path.push(Number(m[1]));
  }
  return { seed: seed | 0, index, path, ...(generators !== undefined ? { generators } : {}) };
}

/** A 32-bit seed for case `index` of run `seed` (a murmur3-style finalizer over both). */
function caseSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Like fast-check's runner: small values often early in a run, the whole range later. */
function biasFactor(index: number): number {
  return 2 + Math.floor(Math.log(index + 1) / Math.LN10);
}

/**
 * fc.Random draws from a clone of the generator it is given: given this, whose clone is
 * `source` itself, it draws from `source`, so the drawer can take numbers from `source`
 * directly, in the same sequence (runner/draw.ts, DrawSource). A class, not an object of
 * closures: those were made for every case.
 */
class HandOver {
  constructor(private readonly source: ReturnType<typeof xoroshiro128plus>) {}
  clone() { return this.source; }
  next() { return this.source.next(); }
  getState() { return this.source.getState(); }
}

function caseRandom(seed: number, index: number): CaseRandom {
  const source = xoroshiro128plus(caseSeed(seed, index));
  return { mrng: new fc.Random(new HandOver(source)), source };
}

/** Case `index` of run `seed`, with its shrink context (for shrinking and replay). */
export function generateCase<T>(arb: fc.Arbitrary<T>, seed: number, index: number): fc.Value<T> {
  return arb.generate(caseRandom(seed, index).mrng, biasFactor(index));
}

// Cases the drawer must draw exactly as generate() does before it is trusted: early indexes
// (bias factor 2) and late ones (3..7), several seeds.
function* proofCases(): Generator<{ random: () => CaseRandom; biasFactor: number }> {
  for (const seed of [0, 1, -7, 0x5eed]) {
    for (const index of [0, 1, 2, 3, 5, 8, 13, 50, 99, 100, 1234, 99_999, 1_000_001, 123_456_789]) {
      yield { random: () => caseRandom(seed, index), biasFactor: biasFactor(index) };
    }
  }
  for (let index = 0; index < 200; index++) yield { random: () => caseRandom(42, index * 7919), biasFactor: biasFactor(index * 7919) };
}

/**
 * The same value as generateCase(arb, seed, index).value, without building the shrink context
 * (runner/draw.ts): for the cases that only need their value.
 */
export function drawCase<T>(arb: fc.Arbitrary<T>, seed: number, index: number): T {
  return drawerFor(arb, proofCases).draw(caseRandom(seed, index), biasFactor(index));
}

/** Whether drawCase is drawing fast for `arb`, and why not when it is not. */
export function drawStatus(arb: fc.Arbitrary<unknown>): DrawerStatus {
  return drawerFor(arb, proofCases).status;
}

/** Regenerates a case and follows its shrink path; undefined when the path leads nowhere. */
export function replayCase<T>(arb: fc.Arbitrary<T>, ref: CaseRef): fc.Value<T> | undefined {
  let v = generateCase(arb, ref.seed, ref.index);
  for (const step of ref.path) {
    let i = 0;
    let next: fc.Value<T> | undefined;
    for (const s of arb.shrink(v.value, v.context)) {
      if (i++ === step) { next = s; break; }
    }
    if (!next) return undefined;
    v = next;
  }
  return v;
}
