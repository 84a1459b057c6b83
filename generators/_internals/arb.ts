// Small combinators shared by the generators. Every map has an unmapper, so values built outside
// (parseCase, examples, saved failures) can still be shrunk (fc's canShrinkWithoutContext).
import fc from 'fast-check';

/**
 * A record of the model's keys, in the model's order. Draws exactly what fc.record draws (a
 * tuple of the same arbitraries, in key order) but builds each object with a literal written
 * for its keys: fc.record's generic mapper stored keys one by one through a site that saw every
 * record (about 6% of drawing a case in a profile), and its objects had no shape the JIT could
 * rely on.
 */
export function rec<T extends object>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
): fc.Arbitrary<T> {
  const keys = Object.keys(model) as (keyof T & string)[];
  const build = objectBuilder<T>(keys);
  return fc.tuple(...keys.map((k) => model[k] as fc.Arbitrary<unknown>)).map(build, (v) => {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) throw new Error('not a plain object');
    // Keys in any order, as fc.record took them: parsed values are built by other code.
    if (Object.keys(v).length !== keys.length || !keys.every((k) => Object.prototype.hasOwnProperty.call(v, k))) throw new Error('other keys');
    return keys.map((k) => (v as Record<string, unknown>)[k]);
  });
}

/** values -> { [keys[i]]: values[i] } as one object literal (JSON-quoted keys, nothing else written). */
function objectBuilder<T>(keys: readonly string[]): (values: unknown[]) => T {
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- only the model's keys, JSON-quoted
    const build = new Function('v', `'use strict'; return { ${fields} };`) as (values: unknown[]) => T;
    // Says what it builds, so that runner/draw.ts can write the literal itself around the
    // tuple's draws (no array in between): the same object, the same draws in the same order.
    Object.defineProperty(build, Symbol.for('gre-conformance.recordKeys'), { value: Object.freeze([...keys]) });
    return build;
  } catch {
    // node --disallow-code-generation-from-strings: the same object, key by key.
    return (v) => Object.fromEntries(keys.map((k, i) => [k, v[i]])) as T;
  }
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
 * `make` built once per arguments. Arbitraries are immutable, so one object can stand wherever
 * the same subtree is wanted: the suite's drawer (runner/draw.ts) compiles and the JIT warms a
 * subtree once per object, and the default space built, say, a weighted boolean a hundred times
 * over. One argument is the key itself (a primitive, or an object kept for the life of the
 * module); several are primitives, keyed together.
 */
export function sharedBy<A extends readonly unknown[], V>(make: (...args: A) => V): (...args: A) => V {
  const made = new Map<unknown, V>();
  return (...args) => {
    const key = args.length === 1 ? args[0] : args.join('\u0000');
    let v = made.get(key);
    if (v === undefined) {
      v = make(...args);
      made.set(key, v);
    }
    return v;
  };
}

/** fc.boolean(), one object for every use. */
export const bool = fc.boolean();

/**
 * `true` once in `1 + falseWeight`. Built on an unbiased integer (not fc.oneof of two constants)
 * so that `true` shrinks to `false`, with or without a shrink context.
 */
export const rarely = sharedBy((falseWeight: number): fc.Arbitrary<boolean> =>
  fc.noBias(fc.integer({ min: 0, max: falseWeight })).map((i) => i === falseWeight, (b) => (b === true ? falseWeight : b === false ? 0 : fail())));

/** `true` except once in `1 + trueWeight`; shrinks to `false` too. */
export const mostly = sharedBy((trueWeight: number): fc.Arbitrary<boolean> =>
  fc.noBias(fc.integer({ min: 0, max: trueWeight })).map((i) => i !== 0, (b) => (b === true ? trueWeight : b === false ? 0 : fail())));

function fail(): never {
  throw new Error('not a boolean');
}

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });

/**
 * Byte strings drawn straight from the random source. fc.array of fc.integer made one Value per
 * byte (and a shrink context for each), which was the largest share of a case's generation
 * time; the bytes themselves need no per-byte shrink history, so this arbitrary keeps none and
 * shrinks from the value alone (shorter prefixes first, then bytes set to zero).
 */
class BytesArbitrary extends fc.Arbitrary<Uint8Array> {
  constructor(
    private readonly minLength: number,
    private readonly maxLength: number,
    /** Longest length generated; longer values up to maxLength are still accepted and shrunk. */
    private readonly maxGenerated: number,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Uint8Array> {
    return new fc.Value(this.drawValue(mrng, biasFactor), undefined);
  }

  /** generate()'s value without its Value (runner/draw.ts calls it: a Value costs more than most byte strings). */
  drawValue(mrng: fc.Random, biasFactor: number | undefined): Uint8Array {
    const { minLength } = this;
    // Like fc's biased arrays: now and then a length near the minimum.
    const biased = biasFactor !== undefined && mrng.nextInt(1, biasFactor) === 1;
    const top = biased ? Math.min(this.maxGenerated, minLength + 2) : this.maxGenerated;
    const n = mrng.nextInt(minLength, top);
    const out = new Uint8Array(n);
    // Biased byte strings favour small byte values (0, 1, lengths), as fc's biased integers do.
    const byteMax = biased && mrng.nextInt(0, 1) === 0 ? 0x0f : 0xff;
    let i = 0;
    if (byteMax === 0xff) {
      for (; i + 4 <= n; i += 4) {
        const r = mrng.nextInt(0, 0x7fffffff) ^ (mrng.nextInt(0, 1) << 31);
        out[i] = r; out[i + 1] = r >>> 8; out[i + 2] = r >>> 16; out[i + 3] = r >>> 24;
      }
    }
    for (; i < n; i++) out[i] = mrng.nextInt(0, byteMax);
    return out;
  }

  canShrinkWithoutContext(value: unknown): value is Uint8Array {
    return value instanceof Uint8Array && value.length >= this.minLength && value.length <= this.maxLength;
  }

  shrink(value: Uint8Array): fc.Stream<fc.Value<Uint8Array>> {
    return new fc.Stream(shrinkBytes(value, this.minLength));
  }
}

function* shrinkBytes(v: Uint8Array, minLength: number): Generator<fc.Value<Uint8Array>> {
  // Shorter first, halving the distance to the minimum (fc's integer shrink order).
  for (let gap = v.length - minLength; gap > 0; gap = Math.floor(gap / 2)) {
    yield new fc.Value(v.slice(0, v.length - gap), undefined);
  }
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) continue;
    const z = v.slice();
    z[i] = 0;
    yield new fc.Value(z, undefined);
  }
}

/**
 * Bytes of length minLength..maxLength. Short ranges are generated over their whole span; long
 * ones stay near fc's 'small' size (about 10 + minLength) but still accept, and so shrink, any
 * value up to maxLength.
 */
export function bytes(maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> {
  return bytesOf(minLength, maxLength);
}

const bytesOf = sharedBy((minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> => {
  const maxGenerated = maxLength - minLength <= 24 ? maxLength : minLength + 10;
  return new BytesArbitrary(minLength, maxLength, maxGenerated);
});

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

/**
 * mapExact(fc.tuple(...parts), mapper, unmapper) whose shrinks lower `size` first. Each shrink
 * step offers, in this order: the values of `moves(value)` that are smaller, the parts' own
 * shrinks that are smaller, then the moves and the parts' shrinks of the same size; never one
 * that is larger, so a step taken towards a smaller value is not undone by a later one. `moves`
 * gives other values of this arbitrary (a part they change is checked with its arbitrary's
 * canShrinkWithoutContext and shrinks on without context); a move of the same size must be a
 * simplification no shrink reverses, or shrinking could go round in circles.
 *
 * Generation is mapExact's: the node keeps fast-check's class and fields (only its shrink is
 * replaced), so tools that walk a tree of fast-check combinators still know it.
 */
export function tupleMapBySize<P extends unknown[], U>(
  parts: { [K in keyof P]: fc.Arbitrary<P[K]> },
  mapper: (p: P) => U,
  unmapper: (u: unknown) => P,
  size: (u: U) => number,
  moves: (u: U) => Iterable<U>,
): fc.Arbitrary<U> {
  const arbs = parts as unknown as fc.Arbitrary<unknown>[];
  const arb = mapExact(fc.tuple(...arbs) as unknown as fc.Arbitrary<P>, mapper, unmapper);
  type Ctx = { originalValue: unknown[]; originalContext: unknown[] };
  const sizeOf = (u: U): number => {
    try {
      return size(u);
    } catch {
      return Infinity;
    }
  };
  const valueOf = (vals: unknown[], ctxs: unknown[]): fc.Value<U> =>
    // fast-check's own map context, so the node's original shrink would read it too.
    new fc.Value(mapper(vals as P), { originalValue: vals, originalContext: ctxs } satisfies Ctx);

  function* shrinkBySize(value: U, context: unknown): Generator<fc.Value<U>> {
    let vals: unknown[];
    let ctxs: unknown[];
    const c = context as Partial<Ctx> | undefined;
    if (c && typeof c === 'object' && Array.isArray(c.originalValue) && Array.isArray(c.originalContext)) {
      vals = c.originalValue;
      ctxs = c.originalContext;
    } else {
      try {
        vals = unmapper(value);
      } catch {
        return;
      }
      ctxs = [];
    }
    const limit = sizeOf(value);
    const sameSize: fc.Value<U>[] = [];

    // Moves: parts that change lose their context (and must be values their arbitrary accepts).
    const sameSizeMoves: fc.Value<U>[] = [];
    for (const m of moves(value)) {
      let next: unknown[];
      try {
        next = unmapper(m);
      } catch {
        continue;
      }
      const nextCtxs: unknown[] = [];
      let ok = true;
      let changed = false;
      for (let i = 0; i < arbs.length && ok; i++) {
        if (sameValue(next[i], vals[i])) {
          next[i] = vals[i];
          nextCtxs[i] = ctxs[i];
        } else {
          changed = true;
          ok = arbs[i]!.canShrinkWithoutContext(next[i]);
        }
      }
      if (!ok || !changed) continue;
      const v = valueOf(next, nextCtxs);
      const s = sizeOf(v.value);
      if (s < limit) yield v;
      else if (s === limit) sameSizeMoves.push(v);
    }

    // The parts' own shrinks, as fc.tuple orders them, smaller ones first.
    for (let i = 0; i < arbs.length; i++) {
      for (const s of arbs[i]!.shrink(vals[i], ctxs[i])) {
        const next = vals.slice();
        const nextCtxs = ctxs.slice();
        next[i] = s.value;
        nextCtxs[i] = s.context;
        const v = valueOf(next, nextCtxs);
        const sz = sizeOf(v.value);
        if (sz < limit) yield v;
        else if (sz === limit) sameSize.push(v);
      }
    }
    yield* sameSizeMoves;
    yield* sameSize;
  }

  arb.shrink = (value: U, context: unknown): fc.Stream<fc.Value<U>> => new fc.Stream(shrinkBySize(value, context));
  return arb;
}
