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

/**
 * The generator a case's fc.Random draws from, the same object (so the same state): the drawer
 * takes its 32-bit numbers itself where a range is known when the drawer is written.
 */
export interface DrawSource { next(): number }

type Draw = (mrng: fc.Random, biasFactor: number | undefined, source: DrawSource) => unknown;

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
/** What a record builder says it builds: its keys, in order (generators/_internals/arb.ts, rec). */
const RECORD_KEYS = Symbol.for('gre-conformance.recordKeys');

// fast-check's mrng.nextInt(min, max) is pure-rand's uniformInt: for a range of up to 2^32
// values, one 32-bit draw moved to [0, 2^32), redrawn while at or above the largest multiple of
// the range's size, then taken modulo that size. A drawer knows most ranges when it is written,
// so it does that arithmetic itself on the generator's numbers, in integers: a power-of-two
// range is a mask (nothing is ever redrawn) and any other a bound and a remainder written as
// constants; a range known only while drawing (a bias factor, a depth benefit) goes through N.
// Through fc.Random every draw paid a call, a division and a remainder in doubles: a fifth of a
// draw-only run's time. Here the default space's draw-only rate rose from 432,000 to 492,000
// cases/s (medians of 5 alternating runs). Ranges wider than 2^32 stay with mrng.nextInt.
const RANGE_HELPERS = [
  'function U(g, size, bound) { let v = (g.next() ^ -2147483648) >>> 0; while (v >= bound) v = (g.next() ^ -2147483648) >>> 0; return v % size; }',
  'function N(r, g, min, max) { const size = max - min + 1; return size <= 4294967296 ? U(g, size, size > 2 ? Math.floor(4294967296 / size) * size : 4294967296) + min : r.nextInt(min, max); }',
].join('\n');

/** The expression drawing mrng.nextInt(min, max) for a range known now (see RANGE_HELPERS). */
function int(min: number, max: number): string {
  const size = max - min + 1;
  const plus = min === 0 ? '' : ` + ${min < 0 ? `(${min})` : min}`;
  if (size > 2 ** 32) return `r.nextInt(${min}, ${max})`;
  if (size === 2 ** 32) return `(((g.next() ^ -2147483648) >>> 0)${plus})`;
  if (Number.isInteger(Math.log2(size))) return `((g.next() & ${size - 1})${plus})`;
  // Redrawing is rare (below one in 2^32/size): the first draw is written here, with the size
  // as a constant the JIT turns into a multiplication; U redraws. `x` is each function's scratch.
  const bound = Math.floor(2 ** 32 / size) * size;
  return `(((x = (g.next() ^ -2147483648) >>> 0) < ${bound} ? x % ${size} : U(g, ${size}, ${bound}))${plus})`;
}

/**
 * One drawer's source being written: a function per distinct body (tuple, oneof, array, filter,
 * an integer with several bias ranges, an arbitrary's own drawValue), calling its children by
 * name; leaves and wrappers (constants, integers, noBias, map, a record's object literal) are
 * written into the expression of their parent. Calls between named functions are direct and
 * each call site sees one target, which the JIT can inline; in a tree of closures calling
 * children through an array, every site saw every kind of child. A default case (scope filter
 * included) took about 3.7 µs to draw with closures, 2.7 µs with a function per node, 2.4 µs
 * with one per distinct body and 2.2 µs with the drawer's own range arithmetic (RANGE_HELPERS),
 * warmed up, on the 2-CPU bench machine; and a new thread gets there sooner, with a third of
 * the functions to optimize (see fn).
 * Only numbers of fast-check's own fields, and the JSON-quoted keys a record builder says it
 * builds (generators/_internals/arb.ts, rec), are written into the source; everything else
 * (mappers, predicates, constants, depth counters) is passed in through `K`.
 */
class Unit {
  constructor(private readonly sharedContext: (ctx: unknown) => boolean) {}

  readonly names = new Map<object, string>();
  /** Function name by body: nodes drawn by identical source with identical constants share one. */
  private readonly byBody = new Map<string, string>();
  readonly bodies: string[] = [];
  readonly consts: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();
  known = 0;
  own = 0;
  generic = 0;

  /** `v` as a constant of the source; one slot per distinct value, so equal nodes read equal text. */
  constant(v: unknown): string {
    let i = this.constIndex.get(v);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(v);
      this.constIndex.set(v, i);
    }
    return `K[${i}]`;
  }

  /**
   * The name of the function drawing `arb`, writing it (and its children's) on first sight.
   * Generators build many equal subtrees (one integer range, one boolean, one record shape per
   * use): nodes whose bodies read the same (same kind, same numbers, same children, same mapper
   * objects) draw the same way, so they share one function. The JIT then compiles and warms
   * each shape once: with a function per node (1,337 in the default space), optimizing the
   * rarely reached ones went on through a whole million-packet corpus and took a fifth of a CPU
   * beside each generating thread.
   */
  fn(arb: fc.Arbitrary<unknown>): string {
    const hit = this.names.get(arb);
    if (hit) return hit;
    let body = this.body(arb);
    const own = isFn((arb as { drawValue?: unknown }).drawValue);
    this.count(arb, body !== undefined ? 'known' : own ? 'own' : 'generic');
    body ??= `  return ${this.constant(arb)}.${own ? 'drawValue(r, b)' : 'generate(r, b).value'};`;
    let name = this.byBody.get(body);
    if (name === undefined) {
      name = `d${this.byBody.size}`;
      this.byBody.set(body, name);
      this.bodies.push(`function ${name}(r, b, g) {\n  let x;\n${body}\n}`);
    }
    this.names.set(arb, name);
    return name;
  }

  /**
   * An expression drawing `arb` with bias `bias` (a name in scope, or 'undefined'): the node's
   * own expression when it is a leaf or a wrapper (a constant, an integer of one bias range or
   * unbiased, noBias, map, a record builder over a tuple), else a call of its function. Those nodes are most of the tree and most of
   * the calls; written into their parents they are no functions for the JIT to tier up one by
   * one, and cost no call while it has not.
   */
  draw(arb: fc.Arbitrary<unknown>, bias: string): string {
    return this.inline(arb, bias) ?? `${this.fn(arb)}(r, ${bias}, g)`;
  }

  private readonly counted = new Set<object>();

  private count(arb: object, how: 'known' | 'own' | 'generic'): void {
    if (this.counted.has(arb)) return;
    this.counted.add(arb);
    this[how]++;
  }

  private inline(arb: fc.Arbitrary<unknown>, bias: string): string | undefined {
    const a = arb as unknown as Fields;
    let e: string | undefined;
    switch (KIND.get(arb.constructor)) {
      case 'map': {
        if (!isFn(a.mapper) || !a.arb) break;
        // A record builder over a tuple (the generators' rec()): the object literal it would
        // build, written around the tuple's draws.
        const keys = (a.mapper as unknown as Record<symbol, unknown>)[RECORD_KEYS];
        const t = a.arb as unknown as Partial<Fields>;
        if (Array.isArray(keys) && keys.every((k) => typeof k === 'string') && KIND.get(a.arb.constructor) === 'tuple'
          && Array.isArray(t.arbs) && t.arbs.length === keys.length) {
          this.count(a.arb, 'known');
          e = `({ ${keys.map((k, i) => `${JSON.stringify(k)}: ${this.draw(t.arbs![i]!, bias)}`).join(', ')} })`;
        } else e = `${this.constant(a.mapper)}(${this.draw(a.arb, bias)})`;
        break;
      }
      case 'noBias':
        if (a.arb) e = this.draw(a.arb, 'undefined');
        break;
      case 'constant':
        if (!Array.isArray(a.values) || a.values.length === 0 || a.values.some((v) => fc.hasCloneMethod(v))) break;
        e = a.values.length === 1 ? this.constant(a.values[0]) : `${this.constant(a.values)}[${int(0, a.values.length - 1)}]`;
        break;
      case 'integer': {
        if (!isInt(a.min) || !isInt(a.max)) break;
        // IntegerArbitrary.generate: unbiased, any value; else once in biasFactor a value from
        // the bias ranges (written here when there is one, else by the integer's function).
        const any = int(a.min, a.max);
        if (bias === 'undefined') e = any;
        else if (Array.isArray(a.ranges) && a.ranges.length === 1 && isInt(a.ranges[0]?.min) && isInt(a.ranges[0]?.max)) {
          e = `(${bias} === undefined || N(r, g, 1, ${bias}) !== 1 ? ${any} : ${int(a.ranges[0]!.min, a.ranges[0]!.max)})`;
        }
        break;
      }
    }
    if (e !== undefined) this.count(arb, 'known');
    return e;
  }

  /** Distinct functions written (nodes drawn alike share one). */
  get functions(): number {
    return this.byBody.size;
  }

  private body(arb: fc.Arbitrary<unknown>): string | undefined {
    const a = arb as unknown as Fields;
    const num = (n: number) => String(n);
    switch (KIND.get(arb.constructor)) {
      case 'filter':
        if (!isFn(a.refinement) || !a.arb) return undefined;
        return `  const keep = ${this.constant(a.refinement)};\n  for (;;) { const v = ${this.draw(a.arb, 'b')}; if (keep(v)) return v; }`;
      case 'tuple':
        if (!Array.isArray(a.arbs)) return undefined;
        return `  return [${a.arbs.map((x) => this.draw(x, 'b')).join(', ')}];`;
      case 'integer': {
        if (!isInt(a.min) || !isInt(a.max) || !Array.isArray(a.ranges) || a.ranges.length === 0
          || !a.ranges.every((x) => isInt(x?.min) && isInt(x?.max))) return undefined;
        const { min, max, ranges } = a;
        const last = ranges.length - 1;
        const at = (x: { min: number; max: number }) => int(x.min, x.max);
        // IntegerArbitrary.generate: once in biasFactor, a value from the biased ranges (the
        // first with twice the others' chance).
        let biased = at(ranges[0]!);
        if (last > 0) {
          biased = `(id < 0 ? ${at(ranges[0]!)} : ${ranges.slice(1).map((x, i) => i === last - 1 ? at(x) : `id === ${i} ? ${at(x)} : `).join('')})`;
          biased = `{ const id = ${int(-2 * last, last - 1)}; return ${biased}; }`;
        } else biased = `return ${biased};`;
        return `  if (b === undefined || N(r, g, 1, b) !== 1) return ${int(min, max)};\n  ${biased}`;
      }
      case 'oneof': {
        const maxDepth = (a as unknown as { constraints?: { maxDepth?: unknown } }).constraints?.maxDepth;
        if (!Array.isArray(a.warbs) || !Array.isArray(a.cumulatedWeights) || !a.cumulatedWeights.every(isInt) || !isInt(a.totalWeight)
          || typeof a.context?.depth !== 'number' || !isFn(a.mustGenerateFirst) || !isFn(a.computeNegDepthBenefit) || typeof maxDepth !== 'number') return undefined;
        const parts = a.warbs.map((x) => this.draw(x.arbitrary, 'b'));
        const pick = a.cumulatedWeights.map((c, i) => `s < ${num(c)} ? ${i} : `).join('') + '-1';
        if (!this.sharedContext(a.context) && a.context.depth === 0) {
          // A depth context no other node of the tree holds (fc.oneof's own, without a
          // depthIdentifier) is only read by this node, on entry, where it is always 0: the
          // depth rules and the bookkeeping below change nothing, so they are not written, and
          // alternatives alike share this body.
          if (maxDepth <= 0) return `  return ${parts[0]};`;
          return [
            `  const s = ${int(0, a.totalWeight - 1)};`,
            `  switch (${pick}) {`,
            ...parts.map((p, i) => `    case ${i}: return ${p};`),
            `  }`,
            `  throw new Error('oneof: no alternative selected');`,
          ].join('\n');
        }
        const self = this.constant(arb), depth = this.constant(a.context);
        // FrequencyArbitrary.generate; the random source it clones for cross-shrinking is not
        // advanced by the clone, so skipping it draws the same numbers. At depth 0 (always,
        // unless a depth identifier is shared or the tree recurses) the depth rules reduce to
        // constants: no benefit, and the first alternative forced only by a maxDepth of 0.
        return [
          `  const depth = ${depth};`,
          `  const top = depth.depth === 0;`,
          `  let i = 0;`,
          `  if (!(top ? ${maxDepth <= 0} : ${self}.mustGenerateFirst())) {`,
          `    const s = top ? ${int(0, a.totalWeight - 1)} : N(r, g, ${self}.computeNegDepthBenefit(), ${num(a.totalWeight - 1)});`,
          `    i = ${pick};`,
          `    if (i < 0) throw new Error('oneof: no alternative selected');`,
          `  }`,
          `  depth.depth++;`,
          `  try {`,
          `    switch (i) {`,
          ...parts.map((p, i) => `      case ${i}: return ${p};`),
          `    }`,
          `  } finally {`,
          `    depth.depth--;`,
          `  }`,
        ].join('\n');
      }
      case 'array': {
        if (!a.arb || a.setBuilder !== undefined || !Array.isArray(a.customSlices) || a.customSlices.length !== 0
          || !isInt(a.minLength) || !isInt(a.maxGeneratedLength) || !isInt(a.cachedBiasedMaxLength) || typeof a.depthContext?.depth !== 'number') return undefined;
        const item = this.draw(a.arb, 'ib');
        const { minLength: min, maxGeneratedLength: maxGen, cachedBiasedMaxLength: biasedMax } = a;
        // ArrayArbitrary.generate: the length (biased now and then), then the items; with no
        // custom slices the items are drawn one by one.
        const len = min === maxGen
          ? `  const n = ${int(min, maxGen)}; const ib = b;`
          : [
            `  let n, ib;`,
            `  if (b === undefined) n = ${int(min, maxGen)};`,
            `  else if (N(r, g, 1, b) !== 1) n = ${int(min, maxGen)};`,
            `  else if (N(r, g, 1, b) !== 1) { n = ${int(min, maxGen)}; ib = b; }`,
            `  else { n = ${int(min, biasedMax)}; ib = b; }`,
          ].join('\n');
        // A depth context no other node holds is never read (an array does not read its own).
        if (!this.sharedContext(a.depthContext)) return `${len}\n  const out = [];\n  for (let i = 0; i < n; i++) out.push(${item});\n  return out;`;
        return [
          len,
          `  const out = [];`,
          `  const impact = n - ${biasedMax};`,
          `  if (impact <= 0) { for (let i = 0; i < n; i++) out.push(${item}); return out; }`,
          `  const dc = ${this.constant(a.depthContext)};`,
          `  dc.depth += impact;`,
          `  try { for (let i = 0; i < n; i++) out.push(${item}); } finally { dc.depth -= impact; }`,
          `  return out;`,
        ].join('\n');
      }
    }
    return undefined;
  }
}

/** An arbitrary, of this copy of fast-check or another: it generates, shrinks and says what it can shrink. */
function isArbitrary(v: unknown): boolean {
  const a = v as Partial<fc.Arbitrary<unknown>> | null;
  return typeof a === 'object' && a !== null && isFn(a.generate) && isFn(a.shrink) && isFn(a.canShrinkWithoutContext);
}

/** Whether a field holds arbitraries: one, a list of them, or fast-check's { arbitrary, weight }. */
function holdsArbitraries(v: unknown): boolean {
  if (isArbitrary(v)) return true;
  if (Array.isArray(v)) return v.some(holdsArbitraries);
  return typeof v === 'object' && v !== null && isArbitrary((v as { arbitrary?: unknown }).arbitrary);
}

/**
 * Which depth contexts (fc.oneof's and fc.array's) more than one node of the tree may hold: a
 * shared depthIdentifier, the one case where a node's depth bookkeeping is read by another node.
 * A node of another kind that holds arbitraries of its own (fc.letrec's, a custom wrapper) hides
 * what is below it, and what is below it may read a context raised above it: then every
 * context counts as shared.
 */
function sharedDepthContexts(root: fc.Arbitrary<unknown>): (ctx: unknown) => boolean {
  const holders = new Map<unknown, number>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const a = stack.pop() as Partial<Fields> | undefined;
    if (typeof a !== 'object' || a === null || seen.has(a)) continue;
    seen.add(a);
    if (!KIND.has(a.constructor) && Object.values(a).some(holdsArbitraries)) return () => true;
    for (const ctx of [a.context, a.depthContext]) if (ctx !== undefined) holders.set(ctx, (holders.get(ctx) ?? 0) + 1);
    if (a.arb) stack.push(a.arb);
    if (Array.isArray(a.arbs)) stack.push(...a.arbs);
    if (Array.isArray(a.warbs)) stack.push(...a.warbs.map((x) => x?.arbitrary));
  }
  return (ctx) => (holders.get(ctx) ?? 0) > 1;
}

/** Writes and compiles the drawer of `arb`; `nodes` counts distinct nodes by how they are drawn. */

function compile(arb: fc.Arbitrary<unknown>): { draw: Draw; nodes: { known: number; own: number; generic: number }; functions: number } {
  const u = new Unit(sharedDepthContexts(arb));
  const root = u.draw(arb, 'b');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source holds only numbers and names written above
  const make = new Function('K', `'use strict';\n${RANGE_HELPERS}\n${u.bodies.join('\n')}\nreturn function draw(r, b, g) { let x; return ${root}; };`) as (k: unknown[]) => Draw;
  return { draw: make(u.consts), nodes: { known: u.known, own: u.own, generic: u.generic }, functions: u.functions };
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
  /** Functions the drawer was compiled to: nodes drawn alike (equal subtrees) share one. */
  readonly functions?: number;
}

/** A case's random source: fast-check's Random and the generator it draws from (see DrawSource). */
export interface CaseRandom { readonly mrng: fc.Random; readonly source: DrawSource }

interface Drawer<T> {
  readonly draw: (random: CaseRandom, biasFactor: number | undefined) => T;
  readonly status: DrawerStatus;
}

const drawers = new WeakMap<object, Drawer<unknown>>();

/**
 * The drawer of `arb`, proved on `samples` (random source, biasFactor) pairs: each draws the
 * same value as generate() from an identical random source, and leaves the source in the same
 * state.
 */
export function drawerFor<T>(
  arb: fc.Arbitrary<T>, samples: () => Iterable<{ random: () => CaseRandom; biasFactor: number }>,
): Drawer<T> {
  const known = drawers.get(arb);
  if (known) return known as Drawer<T>;
  const generic = (r: CaseRandom, b: number | undefined) => arb.generate(r.mrng, b).value;
  let compiled: { draw: (mrng: fc.Random, b: number | undefined, g: DrawSource) => T; nodes: { known: number; own: number; generic: number }; functions: number };
  try {
    compiled = compile(arb as fc.Arbitrary<unknown>) as typeof compiled;
  } catch (e) {
    // node --disallow-code-generation-from-strings forbids new Function: draw with generate().
    const drawer: Drawer<T> = { draw: generic, status: { fast: false, reason: `the drawer could not be compiled: ${(e as Error).message}` } };
    drawers.set(arb, drawer as Drawer<unknown>);
    return drawer;
  }
  const { draw, nodes, functions } = compiled;
  let status: DrawerStatus = { fast: nodes.known > 0, nodes, functions, ...(nodes.known > 0 ? {} : { reason: 'no combinator of the fast-check runner/draw.ts knows' }) };
  let i = 0;
  for (const s of samples()) {
    const r1 = s.random().mrng, { mrng: r2, source } = s.random();
    let mismatch: string | undefined;
    try {
      const expected = arb.generate(r1, s.biasFactor).value;
      const got = draw(r2, s.biasFactor, source);
      if (!sameDrawn(expected, got)) mismatch = 'drew another value than generate()';
      else if (r1.nextInt(0, 0x7fffffff) !== r2.nextInt(0, 0x7fffffff)) mismatch = 'used the random source differently from generate()';
    } catch (e) {
      mismatch = `threw: ${(e as Error).message}`;
    }
    if (mismatch) {
      status = { fast: false, reason: `sample ${i} ${mismatch}`, nodes, functions };
      break;
    }
    i++;
  }
  const drawer: Drawer<T> = status.fast ? { draw: (r, b) => draw(r.mrng, b, r.source), status } : { draw: generic, status };
  drawers.set(arb, drawer as Drawer<unknown>);
  return drawer;
}

/** Structural equality of drawn values: plain objects (keys in order), arrays, typed arrays, primitives. */
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
  for (let i = 0; i < ka.length; i++) {
    // Keys in the same order too: a value's JSON (reports, saved failures) follows it.
    const k = ka[i]!;
    if (kb[i] !== k) return false;
    if (!sameDrawn((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
