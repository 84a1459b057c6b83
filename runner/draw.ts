// Drawing a case's value without its shrink history. fast-check's generate() wraps every node
// of the arbitrary tree in a Value with a shrink context (and clones the random source at each
// cross-shrinking oneof); for a case that passes, none of that is ever read, and building it was
// most of the suite's generation time. A drawer walks the same tree, consumes the same random
// numbers in the same order and returns the same value; a failing case is regenerated with
// generate() from (seed, index), so shrinking still has its full context.
//
// The walk knows fast-check's own combinators (map, filter, tuple, record, integer, constant,
// oneof, noBias, array). Any other node is drawn with its own drawValue(mrng, biasFactor) when
// it has one (an arbitrary of the generators' own, such as their byte strings, whose
// generate() is drawValue wrapped in a Value), else with generate(). Knowing them means
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

const isFn = (f: unknown) => typeof f === 'function';
const isInt = (n: unknown) => Number.isSafeInteger(n);

/**
 * One drawer's source being written: a function per distinct node of the tree, calling its
 * children by name. Calls between named functions are direct and each call site sees one
 * target, which the JIT can inline; in a tree of closures calling children through an array,
 * every site saw every kind of child. A default case (scope filter included) took about 3.7 µs
 * to draw with closures and 2.7 µs compiled, warmed up, on the 2-CPU bench machine.
 * Only numbers of fast-check's own fields are written into the source; everything else
 * (mappers, predicates, constants, depth counters) is passed in through `K`.
 */
class Unit {
  readonly names = new Map<object, string>();
  readonly bodies: string[] = [];
  readonly consts: unknown[] = [];
  known = 0;
  own = 0;
  generic = 0;

  constant(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }

  /** The name of the function drawing `arb`, writing it (and its children's) on first sight. */
  fn(arb: fc.Arbitrary<unknown>): string {
    const hit = this.names.get(arb);
    if (hit) return hit;
    const name = `d${this.names.size}`;
    this.names.set(arb, name);
    const body = this.body(arb);
    const own = isFn((arb as { drawValue?: unknown }).drawValue);
    if (body !== undefined) this.known++;
    else if (own) this.own++;
    else this.generic++;
    this.bodies.push(`function ${name}(r, b) {\n${body ?? `  return ${this.constant(arb)}.${own ? 'drawValue(r, b)' : 'generate(r, b).value'};`}\n}`);
    return name;
  }

  private body(arb: fc.Arbitrary<unknown>): string | undefined {
    const a = arb as unknown as Fields;
    const num = (n: number) => String(n);
    switch (KIND.get(arb.constructor)) {
      case 'map':
        if (!isFn(a.mapper) || !a.arb) return undefined;
        return `  return ${this.constant(a.mapper)}(${this.fn(a.arb)}(r, b));`;
      case 'filter':
        if (!isFn(a.refinement) || !a.arb) return undefined;
        return `  const keep = ${this.constant(a.refinement)};\n  for (;;) { const v = ${this.fn(a.arb)}(r, b); if (keep(v)) return v; }`;
      case 'tuple':
        if (!Array.isArray(a.arbs)) return undefined;
        return `  return [${a.arbs.map((x) => `${this.fn(x)}(r, b)`).join(', ')}];`;
      case 'integer': {
        if (!isInt(a.min) || !isInt(a.max) || !Array.isArray(a.ranges) || a.ranges.length === 0
          || !a.ranges.every((x) => isInt(x?.min) && isInt(x?.max))) return undefined;
        const { min, max, ranges } = a;
        const last = ranges.length - 1;
        const at = (x: { min: number; max: number }) => `r.nextInt(${num(x.min)}, ${num(x.max)})`;
        // IntegerArbitrary.generate: once in biasFactor, a value from the biased ranges (the
        // first with twice the others' chance).
        let biased = at(ranges[0]!);
        if (last > 0) {
          biased = `(id < 0 ? ${at(ranges[0]!)} : ${ranges.slice(1).map((x, i) => i === last - 1 ? at(x) : `id === ${i} ? ${at(x)} : `).join('')})`;
          biased = `{ const id = r.nextInt(${num(-2 * last)}, ${num(last - 1)}); return ${biased}; }`;
        } else biased = `return ${biased};`;
        return `  if (b === undefined || r.nextInt(1, b) !== 1) return r.nextInt(${num(min)}, ${num(max)});\n  ${biased}`;
      }
      case 'constant': {
        if (!Array.isArray(a.values) || a.values.length === 0 || a.values.some((v) => fc.hasCloneMethod(v))) return undefined;
        if (a.values.length === 1) return `  return ${this.constant(a.values[0])};`;
        return `  return ${this.constant(a.values)}[r.nextInt(0, ${num(a.values.length - 1)})];`;
      }
      case 'oneof': {
        const maxDepth = (a as unknown as { constraints?: { maxDepth?: unknown } }).constraints?.maxDepth;
        if (!Array.isArray(a.warbs) || !Array.isArray(a.cumulatedWeights) || !a.cumulatedWeights.every(isInt) || !isInt(a.totalWeight)
          || typeof a.context?.depth !== 'number' || !isFn(a.mustGenerateFirst) || !isFn(a.computeNegDepthBenefit) || typeof maxDepth !== 'number') return undefined;
        const parts = a.warbs.map((x) => this.fn(x.arbitrary));
        const self = this.constant(arb), depth = this.constant(a.context);
        // FrequencyArbitrary.generate; the random source it clones for cross-shrinking is not
        // advanced by the clone, so skipping it draws the same numbers. At depth 0 (always,
        // unless a depth identifier is shared or the tree recurses) the depth rules reduce to
        // constants: no benefit, and the first alternative forced only by a maxDepth of 0.
        const pick = a.cumulatedWeights.map((c, i) => `s < ${num(c)} ? ${i} : `).join('') + '-1';
        return [
          `  const depth = ${depth};`,
          `  const top = depth.depth === 0;`,
          `  let i = 0;`,
          `  if (!(top ? ${maxDepth <= 0} : ${self}.mustGenerateFirst())) {`,
          `    const s = r.nextInt(top ? 0 : ${self}.computeNegDepthBenefit(), ${num(a.totalWeight - 1)});`,
          `    i = ${pick};`,
          `    if (i < 0) throw new Error('oneof: no alternative selected');`,
          `  }`,
          `  depth.depth++;`,
          `  try {`,
          `    switch (i) {`,
          ...parts.map((p, i) => `      case ${i}: return ${p}(r, b);`),
          `    }`,
          `  } finally {`,
          `    depth.depth--;`,
          `  }`,
        ].join('\n');
      }
      case 'noBias':
        if (!a.arb) return undefined;
        return `  return ${this.fn(a.arb)}(r, undefined);`;
      case 'array': {
        if (!a.arb || a.setBuilder !== undefined || !Array.isArray(a.customSlices) || a.customSlices.length !== 0
          || !isInt(a.minLength) || !isInt(a.maxGeneratedLength) || !isInt(a.cachedBiasedMaxLength) || typeof a.depthContext?.depth !== 'number') return undefined;
        const item = this.fn(a.arb);
        const { minLength: min, maxGeneratedLength: maxGen, cachedBiasedMaxLength: biasedMax } = a;
        // ArrayArbitrary.generate: the length (biased now and then), then the items; with no
        // custom slices the items are drawn one by one.
        const len = min === maxGen
          ? `  const n = r.nextInt(${min}, ${maxGen}); const ib = b;`
          : [
            `  let n, ib;`,
            `  if (b === undefined) n = r.nextInt(${min}, ${maxGen});`,
            `  else if (r.nextInt(1, b) !== 1) n = r.nextInt(${min}, ${maxGen});`,
            `  else if (r.nextInt(1, b) !== 1) { n = r.nextInt(${min}, ${maxGen}); ib = b; }`,
            `  else { n = r.nextInt(${min}, ${biasedMax}); ib = b; }`,
          ].join('\n');
        return [
          len,
          `  const out = [];`,
          `  const impact = n - ${biasedMax};`,
          `  if (impact <= 0) { for (let i = 0; i < n; i++) out.push(${item}(r, ib)); return out; }`,
          `  const dc = ${this.constant(a.depthContext)};`,
          `  dc.depth += impact;`,
          `  try { for (let i = 0; i < n; i++) out.push(${item}(r, ib)); } finally { dc.depth -= impact; }`,
          `  return out;`,
        ].join('\n');
      }
    }
    return undefined;
  }
}

/** Writes and compiles the drawer of `arb`; `nodes` counts distinct nodes by how they are drawn. */
function compile(arb: fc.Arbitrary<unknown>): { draw: Draw; nodes: { known: number; own: number; generic: number } } {
  const u = new Unit();
  const root = u.fn(arb);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source holds only numbers and names written above
  const make = new Function('K', `'use strict';\n${u.bodies.join('\n')}\nreturn ${root};`) as (k: unknown[]) => Draw;
  return { draw: make(u.consts), nodes: { known: u.known, own: u.own, generic: u.generic } };
}

export interface DrawerStatus {
  /** True when values are drawn without shrink contexts; false when generate() is used. */
  readonly fast: boolean;
  /** Why the fast drawer is not used. */
  readonly reason?: string;
  /**
   * Nodes of the tree drawn by the walk, nodes drawn with their own drawValue(), and nodes drawn
   * with their own generate() (other custom arbitraries, or combinators of another copy of
   * fast-check than the one runner/draw.ts imports: then nothing is known and nothing is gained).
   */
  readonly nodes?: { readonly known: number; readonly own: number; readonly generic: number };
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
  let compiled: { draw: Drawer<T>['draw']; nodes: { known: number; own: number; generic: number } };
  try {
    compiled = compile(arb as fc.Arbitrary<unknown>) as typeof compiled;
  } catch (e) {
    // node --disallow-code-generation-from-strings forbids new Function: draw with generate().
    const drawer: Drawer<T> = { draw: (r, b) => arb.generate(r, b).value, status: { fast: false, reason: `the drawer could not be compiled: ${(e as Error).message}` } };
    drawers.set(arb, drawer as Drawer<unknown>);
    return drawer;
  }
  const { draw, nodes } = compiled;
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
