// Drawing a case's value without its shrink history. fast-check's generate() wraps every node
// of the arbitrary tree in a Value with a shrink context (and clones the random source at each
// cross-shrinking oneof); for a case that passes, none of that is ever read, and building it was
// most of the suite's generation time. A drawer walks the same tree, consumes the same random
// numbers in the same order and returns the same value; a failing case is regenerated with
// generate() from (seed, index), so shrinking still has its full context.
//
// The walk knows fast-check's own combinators (map, filter, tuple, record, integer, constant,
// oneof, noBias, array); any other node is drawn with its own generate(). Knowing them means
// reading their fields, which fast-check does not promise to keep: so every drawer proves
// itself on sample cases against generate() before it is used, and an arbitrary whose drawer
// does not give the same values is drawn with generate() instead (drawerStatus says why).
import fc from 'fast-check';

type Draw = (mrng: fc.Random, biasFactor: number | undefined) => unknown;

// The combinators' classes are not exported; one instance of each gives its constructor.
const probe = fc.integer({ min: 0, max: 1 });
const KIND = new Map<unknown, string>([
  [probe.map((x) => x).constructor, 'map'],
  [probe.filter(() => true).constructor, 'filter'],
  [fc.tuple(probe).constructor, 'tuple'],
  [probe.constructor, 'integer'],
  [fc.constant(0).constructor, 'constant'],
  [fc.oneof(probe, probe).constructor, 'oneof'],
  [fc.noBias(probe).constructor, 'noBias'],
  [fc.array(probe).constructor, 'array'],
]);

/** Fields read from fast-check's combinators (checked before use, see compile). */
interface Fields {
  arb: fc.Arbitrary<unknown>; mapper: (v: unknown) => unknown; refinement: (v: unknown) => boolean;
  arbs: fc.Arbitrary<unknown>[]; min: number; max: number; ranges: { min: number; max: number }[];
  values: unknown[]; warbs: { arbitrary: fc.Arbitrary<unknown> }[]; cumulatedWeights: number[]; totalWeight: number;
  context: { depth: number }; mustGenerateFirst(): boolean; computeNegDepthBenefit(): number;
  minLength: number; maxGeneratedLength: number; cachedBiasedMaxLength: number; setBuilder: unknown;
  customSlices: unknown[]; depthContext: { depth: number };
}

const compiled = new WeakMap<object, Draw>();
const genericDraws = new WeakSet<Draw>();

function generic(arb: fc.Arbitrary<unknown>): Draw {
  return (mrng, bias) => arb.generate(mrng, bias).value;
}

const isFn = (f: unknown) => typeof f === 'function';
const isInt = (n: unknown) => Number.isSafeInteger(n);

function compile(arb: fc.Arbitrary<unknown>): Draw {
  const hit = compiled.get(arb);
  if (hit) {
    if (tally) tally[genericDraws.has(hit) ? 'generic' : 'known']++;
    return hit;
  }
  const a = arb as unknown as Fields;
  let d: Draw | undefined;
  switch (KIND.get(arb.constructor)) {
    case 'map': {
      if (!isFn(a.mapper) || !a.arb) break;
      const inner = compile(a.arb), mapper = a.mapper;
      d = (r, b) => mapper(inner(r, b));
      break;
    }
    case 'filter': {
      if (!isFn(a.refinement) || !a.arb) break;
      const inner = compile(a.arb), keep = a.refinement;
      d = (r, b) => {
        for (;;) {
          const v = inner(r, b);
          if (keep(v)) return v;
        }
      };
      break;
    }
    case 'tuple': {
      if (!Array.isArray(a.arbs)) break;
      const parts = a.arbs.map(compile);
      const n = parts.length;
      d = (r, b) => {
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(parts[i]!(r, b));
        return out;
      };
      break;
    }
    case 'integer': {
      if (!isInt(a.min) || !isInt(a.max) || !Array.isArray(a.ranges) || a.ranges.length === 0) break;
      const { min, max, ranges } = a;
      const last = ranges.length - 1;
      // IntegerArbitrary.generate: once in biasFactor, a value from the biased ranges.
      d = (r, b) => {
        if (b === undefined || r.nextInt(1, b) !== 1) return r.nextInt(min, max);
        if (last === 0) return r.nextInt(ranges[0]!.min, ranges[0]!.max);
        const id = r.nextInt(-2 * last, last - 1);
        const range = id < 0 ? ranges[0]! : ranges[id + 1]!;
        return r.nextInt(range.min, range.max);
      };
      break;
    }
    case 'constant': {
      if (!Array.isArray(a.values) || a.values.length === 0 || a.values.some((v) => fc.hasCloneMethod(v))) break;
      const values = a.values;
      d = values.length === 1 ? () => values[0] : (r) => values[r.nextInt(0, values.length - 1)];
      break;
    }
    case 'oneof': {
      if (!Array.isArray(a.warbs) || !Array.isArray(a.cumulatedWeights) || !isInt(a.totalWeight) || typeof a.context?.depth !== 'number'
        || !isFn(a.mustGenerateFirst) || !isFn(a.computeNegDepthBenefit)) break;
      const parts = a.warbs.map((x) => compile(x.arbitrary));
      const cumulated = a.cumulatedWeights, total = a.totalWeight, depth = a.context, n = parts.length;
      const at = (idx: number, r: fc.Random, b: number | undefined): unknown => {
        depth.depth++;
        try {
          return parts[idx]!(r, b);
        } finally {
          depth.depth--;
        }
      };
      const maxDepth = (a as unknown as { constraints?: { maxDepth?: unknown } }).constraints?.maxDepth;
      if (typeof maxDepth !== 'number') break;
      // FrequencyArbitrary.generate; the random source it clones for cross-shrinking is not
      // advanced by the clone, so skipping it draws the same numbers. At depth 0 (always, unless
      // a depth identifier is shared or the tree recurses) the depth rules reduce to constants:
      // no benefit, and the first alternative forced only by a maxDepth of 0.
      d = (r, b) => {
        const top = depth.depth === 0;
        if (top ? maxDepth <= 0 : a.mustGenerateFirst()) return at(0, r, b);
        const selected = r.nextInt(top ? 0 : a.computeNegDepthBenefit(), total - 1);
        for (let i = 0; i < n; i++) if (selected < cumulated[i]!) return at(i, r, b);
        throw new Error('oneof: no alternative selected');
      };
      break;
    }
    case 'noBias': {
      if (!a.arb) break;
      const inner = compile(a.arb);
      d = (r) => inner(r, undefined);
      break;
    }
    case 'array': {
      if (!a.arb || a.setBuilder !== undefined || !Array.isArray(a.customSlices) || a.customSlices.length !== 0
        || !isInt(a.minLength) || !isInt(a.maxGeneratedLength) || !isInt(a.cachedBiasedMaxLength) || typeof a.depthContext?.depth !== 'number') break;
      const item = compile(a.arb);
      const { minLength: min, maxGeneratedLength: maxGen, cachedBiasedMaxLength: biasedMax, depthContext } = a;
      // ArrayArbitrary.generate: the length (biased now and then), then the items; with no
      // custom slices the items are drawn one by one.
      d = (r, b) => {
        let n: number;
        let itemBias: number | undefined;
        if (b === undefined) n = r.nextInt(min, maxGen);
        else if (min === maxGen) { n = r.nextInt(min, maxGen); itemBias = b; }
        else if (r.nextInt(1, b) !== 1) n = r.nextInt(min, maxGen);
        else if (r.nextInt(1, b) !== 1) { n = r.nextInt(min, maxGen); itemBias = b; }
        else { n = r.nextInt(min, biasedMax); itemBias = b; }
        const impact = n - biasedMax;
        if (impact > 0) depthContext.depth += impact;
        try {
          const out: unknown[] = [];
          for (let i = 0; i < n; i++) out.push(item(r, itemBias));
          return out;
        } finally {
          if (impact > 0) depthContext.depth -= impact;
        }
      };
      break;
    }
  }
  if (tally) tally[d ? 'known' : 'generic']++;
  const draw = d ?? generic(arb);
  if (!d) genericDraws.add(draw);
  compiled.set(arb, draw);
  return draw;
}

/** Nodes compiled by the current drawerFor call, by kind. */
let tally: { known: number; generic: number } | undefined;

export interface DrawerStatus {
  /** True when values are drawn without shrink contexts; false when generate() is used. */
  readonly fast: boolean;
  /** Why the fast drawer is not used. */
  readonly reason?: string;
  /**
   * Nodes of the tree drawn by the walk, and nodes drawn with their own generate() (custom
   * arbitraries, or combinators of another copy of fast-check than the one runner/draw.ts
   * imports: then nothing is known and nothing is gained).
   */
  readonly nodes?: { readonly known: number; readonly generic: number };
}

interface Drawer<T> {
  readonly draw: (mrng: fc.Random, biasFactor: number | undefined) => T;
  readonly status: DrawerStatus;
}

const drawers = new WeakMap<object, Drawer<unknown>>();

/**
 * The drawer of `arb`, proved on `samples` (mrng, biasFactor) pairs: each draws the same value
 * as generate() from an identical random source, and leaves the source in the same state.
 */
export function drawerFor<T>(
  arb: fc.Arbitrary<T>, samples: () => Iterable<{ mrng: () => fc.Random; biasFactor: number }>,
): Drawer<T> {
  const known = drawers.get(arb);
  if (known) return known as Drawer<T>;
  tally = { known: 0, generic: 0 };
  let draw: Drawer<T>['draw'];
  const nodes = tally;
  try {
    draw = compile(arb as fc.Arbitrary<unknown>) as Drawer<T>['draw'];
  } finally {
    tally = undefined;
  }
  let status: DrawerStatus = { fast: nodes.known > 0, nodes, ...(nodes.known > 0 ? {} : { reason: 'no combinator of the fast-check runner/draw.ts knows' }) };
  let i = 0;
  for (const s of samples()) {
    const r1 = s.mrng(), r2 = s.mrng();
    let mismatch: string | undefined;
    try {
      const expected = arb.generate(r1, s.biasFactor).value;
      const got = draw(r2, s.biasFactor);
      if (!sameDrawn(expected, got)) mismatch = 'drew another value than generate()';
      else if (r1.nextInt(0, 0x7fffffff) !== r2.nextInt(0, 0x7fffffff)) mismatch = 'used the random source differently from generate()';
    } catch (e) {
      mismatch = `threw: ${(e as Error).message}`;
    }
    if (mismatch) {
      status = { fast: false, reason: `sample ${i} ${mismatch}`, nodes };
      break;
    }
    i++;
  }
  const drawer: Drawer<T> = status.fast ? { draw, status } : { draw: (r, b) => arb.generate(r, b).value, status };
  drawers.set(arb, drawer as Drawer<unknown>);
  return drawer;
}

/** Structural equality of drawn values: plain objects, arrays, typed arrays, primitives. */
export function sameDrawn(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameDrawn((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
