// Small combinators shared by the generators. Every map has an unmapper, so values built outside
// (parseCase, examples, saved failures) can still be shrunk (fc's canShrinkWithoutContext).
import fc from 'fast-check';

/** fc.record without null-prototype objects (they would not print or compare as plain JSON). */
export function rec<T extends object>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
}

/** A record whose `optional` keys are sometimes absent (absent shrinks first). */
export function recOptional<T extends object>(
  model: { [K in keyof T]-?: fc.Arbitrary<Exclude<T[K], undefined>> },
  required: readonly (keyof T & string)[],
): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true, requiredKeys: required as never[] }) as unknown as fc.Arbitrary<T>;
}

/** `value` with weight `w`: shorthand for fc.oneof's weighted form. */
export function w<T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> {
  return { weight, arbitrary };
}

/** Weighted choice whose first entry is the shrink target (cross-shrinks to it). */
export function pick<T>(...arbs: fc.WeightedArbitrary<T>[]): fc.Arbitrary<T> {
  return fc.oneof({ withCrossShrink: true }, ...arbs);
}

/** Weighted choice without cross-shrinking (cheaper: no generator clone on every value). */
export function choose<T>(...arbs: fc.WeightedArbitrary<T>[]): fc.Arbitrary<T> {
  return fc.oneof(...arbs);
}

/** 'auto' most of the time (`autoWeight` against 1), else `explicit`. */
export function autoOr(explicit: fc.Arbitrary<number>, autoWeight: number): fc.Arbitrary<'auto' | number> {
  return fc.oneof(w<'auto' | number>(autoWeight, fc.constant('auto')), w<'auto' | number>(1, explicit));
}

/**
 * `true` once in `1 + falseWeight`. Built on an unbiased integer (not fc.oneof of two constants)
 * so that `true` shrinks to `false`, with or without a shrink context.
 */
export function rarely(falseWeight: number): fc.Arbitrary<boolean> {
  return fc.noBias(fc.integer({ min: 0, max: falseWeight })).map((i) => i === falseWeight, (b) => (b === true ? falseWeight : b === false ? 0 : fail()));
}

/** `true` except once in `1 + trueWeight`; shrinks to `false` too. */
export function mostly(trueWeight: number): fc.Arbitrary<boolean> {
  return fc.noBias(fc.integer({ min: 0, max: trueWeight })).map((i) => i !== 0, (b) => (b === true ? trueWeight : b === false ? 0 : fail()));
}

function fail(): never {
  throw new Error('not a boolean');
}

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });

/**
 * Bytes of length minLength..maxLength. Short ranges are generated over their whole span; long
 * ones stay near fc's 'small' size (about 10 + 2*minLength) but still accept, and so shrink, any
 * value up to maxLength.
 */
export function bytes(maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> {
  const size = maxLength - minLength <= 24 ? 'max' : 'small';
  return fc.array(u8, { minLength, maxLength, size }).map(
    (a) => Uint8Array.from(a),
    (v) => {
      if (!(v instanceof Uint8Array)) throw new Error('not a Uint8Array');
      return Array.from(v);
    },
  );
}

/** A constant Uint8Array (a fresh value, compared by content when unmapping). */
export function constBytes(b: readonly number[]): fc.Arbitrary<Uint8Array> {
  return fc.constant(null).map(
    () => Uint8Array.from(b),
    (v) => {
      if (!(v instanceof Uint8Array) || v.length !== b.length || v.some((x, i) => x !== b[i])) throw new Error('other bytes');
      return null;
    },
  );
}

/** `n` zero bytes, n from `lengths`. */
export function zeroBytes(lengths: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> {
  return lengths.map(
    (n) => new Uint8Array(n),
    (v) => {
      if (!(v instanceof Uint8Array) || v.some((x) => x !== 0)) throw new Error('not zeros');
      return v.length;
    },
  );
}

/** Structural equality over the model's JSON-like values (Uint8Array compared by content). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * arb.map(mapper, unmapper), where the unmapper is checked: a value it cannot give back exactly
 * is refused, so shrinking never starts from a different value than the one given.
 */
export function mapExact<T, U>(arb: fc.Arbitrary<T>, mapper: (t: T) => U, unmapper: (u: unknown) => T): fc.Arbitrary<U> {
  return arb.map(mapper, (u) => {
    const t = unmapper(u);
    if (!sameValue(mapper(t), u)) throw new Error('value outside this arbitrary');
    return t;
  });
}

/**
 * Arrays of up to `genMax` items; once in about 500, up to `domainMax` (near fc's 'small' size).
 * The long alternative widens what can be shrunk (parsed values) and keeps long lists tested.
 */
export function arrayUpTo<T>(item: fc.Arbitrary<T>, genMax: number, domainMax: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    w(500, fc.array(item, { maxLength: genMax, size: 'max' })),
    w(1, fc.array(item, { maxLength: domainMax, size: 'small' })),
  );
}

/**
 * A constant object or array, compared by content when unmapping (fc.constant compares with
 * Object.is, so a parsed `{ kind: 'nop' }` would not be recognised). Each value is a fresh copy.
 */
export function constantOf<T extends object>(value: T): fc.Arbitrary<T> {
  const copy = (): T => (Array.isArray(value) ? ([...value] as T) : { ...value });
  return fc.constant(null).map(copy, (v) => {
    if (!sameValue(v, value)) throw new Error('another value');
    return null;
  });
}
