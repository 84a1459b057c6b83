// drawCase must give exactly the value generateCase gives (case ids name the same datagram
// whichever path drew them), and must fall back to generate() when its walk of fast-check's
// combinators does not reproduce it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawCase, drawStatus, generateCase } from '../runner/case-id.ts';
import { sameDrawn } from '../runner/draw.ts';
import { defaultSpace } from '../runner/default-space.ts';
import {
  greCase, ipv4Header, ipv4Options, ipv6Header, ipv6ExtensionChain, greV0, greV1, greOtherVersion, grePayload, truncation, trailer, keymapSpecs,
} from '../generators/index.ts';

const ROOT = new URL('..', import.meta.url).pathname;

const spaces: [string, fc.Arbitrary<unknown>][] = [
  ['default space', defaultSpace.arbitrary],
  ['greCase without lies', greCase({ lies: false })],
  ['greCase IPv6 only, v1 only', greCase({ ipv4Weight: 0, v0Weight: 0, otherVersionWeight: 0 })],
  ['ipv4Header', ipv4Header()], ['ipv4Options', ipv4Options()], ['ipv6Header', ipv6Header()],
  ['ipv6ExtensionChain', ipv6ExtensionChain()], ['greV0', greV0()], ['greV1', greV1()], ['greOtherVersion', greOtherVersion()],
  ['grePayload', grePayload()], ['truncation', truncation()], ['trailer', trailer()], ['keymapSpecs', keymapSpecs()],
  // The drawer's own range arithmetic (runner/draw.ts, int): one value, powers of two (a mask),
  // other sizes (a bound, here redrawn about half the time just above 2^31), all 2^32 values,
  // ranges wider than 2^32, negative bounds, and picks among 3 constants.
  ['integer ranges at the edges of the arithmetic', fc.tuple(
    fc.integer({ min: 5, max: 5 }), fc.integer({ min: -1, max: 0 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 3 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 0 }), fc.integer({ min: 1, max: 2 ** 31 + 1 }),
    fc.integer(), fc.noBias(fc.integer({ min: -7, max: 1000 })), fc.maxSafeInteger(), fc.maxSafeNat(), fc.constantFrom('a', 'b', 'c'),
  )],
  ['fc built-ins', fc.record({ a: fc.array(fc.integer({ min: -5, max: 500 }), { maxLength: 40 }), b: fc.option(fc.boolean()), c: fc.constantFrom('x', 'y') }, { requiredKeys: ['a'] })],
];

describe('drawCase', () => {
  it.each(spaces)('%s: draws fast, the same values as generateCase', (_, arb) => {
    const status = drawStatus(arb);
    expect(status.fast).toBe(true);
    expect(status.nodes!.known).toBeGreaterThan(status.nodes!.generic);
    for (const seed of [1, 99, -123456]) {
      for (let i = 0; i < 700; i++) {
        const index = i < 350 ? i : i * 104_729;
        const expected = generateCase(arb, seed, index).value;
        const drawn = drawCase(arb, seed, index);
        if (!sameDrawn(expected, drawn)) {
          expect(drawn, `case ${seed}:${index}`).toEqual(expected);
          expect.fail(`case ${seed}:${index}: the same values, keys in another order`);
        }
      }
    }
  });

  it("draws every node of the default space without generate(): the walk, or the generators' own drawValue", () => {
    const nodes = drawStatus(defaultSpace.arbitrary).nodes!;
    expect(nodes.generic).toBe(0);
    expect(nodes.own).toBeGreaterThan(0);
  });

  it('refuses a drawValue that does not draw what generate() draws', () => {
    class Liar extends fc.Arbitrary<number> {
      generate(mrng: fc.Random): fc.Value<number> { return new fc.Value(mrng.nextInt(0, 9), undefined); }
      drawValue(mrng: fc.Random): number { return mrng.nextInt(0, 9) + 1; }
      canShrinkWithoutContext(v: unknown): v is number { return typeof v === 'number'; }
      shrink(): fc.Stream<fc.Value<number>> { return fc.Stream.nil(); }
    }
    const status = drawStatus(fc.tuple(new Liar(), fc.boolean()));
    expect(status.fast).toBe(false);
    expect(status.reason).toMatch(/another value/);
    expect(status.nodes!.own).toBe(1);
  });

  it('keeps depth bookkeeping where nodes share a depth context, and draws what generate() draws', () => {
    // Nested oneofs and arrays under one depth identifier: each reads the depth the others
    // raised, so the values depend on the bookkeeping the drawer leaves out for unshared
    // contexts. Bias towards the first alternative grows with depth (depthSize).
    const id = fc.createDepthIdentifier();
    const leaf = fc.integer({ min: 0, max: 9 });
    const inner = fc.oneof({ depthIdentifier: id, depthSize: 'small' }, leaf, fc.array(leaf, { depthIdentifier: id, maxLength: 8 }));
    const middle = fc.oneof({ depthIdentifier: id, depthSize: 'small', maxDepth: 3 }, leaf, fc.tuple(inner, inner), fc.array(inner, { depthIdentifier: id, maxLength: 6 }));
    const shared = fc.oneof({ depthIdentifier: id, depthSize: 'small' }, leaf, fc.tuple(middle, middle, inner), fc.array(middle, { depthIdentifier: id, maxLength: 5 }));
    const status = drawStatus(shared);
    expect(status.fast).toBe(true);
    let deep = 0;
    for (let index = 0; index < 3000; index++) {
      const expected = generateCase(shared, 8, index).value;
      const drawn = drawCase(shared, 8, index);
      if (!sameDrawn(expected, drawn)) expect(drawn, `case 8:${index}`).toEqual(expected);
      if (Array.isArray(drawn) && drawn.some((x) => Array.isArray(x))) deep++;
    }
    expect(deep).toBeGreaterThan(300);
  });

  it('keeps every depth bookkeeping when a node of another kind hides arbitraries that may read it', () => {
    // Wrap draws its inner arbitrary with generate(): the drawer cannot see that the inner oneof
    // shares the outer one's depth identifier, and reads the depth the outer one raised.
    class Wrap<T> extends fc.Arbitrary<T> {
      constructor(readonly inner: fc.Arbitrary<T>) { super(); }
      generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> { return this.inner.generate(mrng, biasFactor); }
      canShrinkWithoutContext(v: unknown): v is T { return this.inner.canShrinkWithoutContext(v); }
      shrink(v: T, context: unknown): fc.Stream<fc.Value<T>> { return this.inner.shrink(v, context); }
    }
    const id = fc.createDepthIdentifier();
    const leaf = fc.integer({ min: 0, max: 9 });
    // depthSize 1: each level of depth already favours the first alternative (depth bias 1).
    const inner: fc.Arbitrary<unknown> = fc.oneof({ depthIdentifier: id, depthSize: 1 }, leaf, fc.tuple(leaf, leaf), fc.array(leaf, { maxLength: 4 }));
    const outer = fc.oneof({ depthIdentifier: id, depthSize: 1 }, leaf, fc.tuple(new Wrap(inner), new Wrap(inner)), fc.array(new Wrap(inner), { maxLength: 4 }));
    const status = drawStatus(outer);
    expect(status.fast, status.reason).toBe(true);
    expect(status.nodes!.generic).toBe(3); // the Wraps, drawn with their own generate()
    for (let index = 0; index < 3000; index++) {
      const expected = generateCase(outer, 4, index).value;
      const drawn = drawCase(outer, 4, index);
      if (!sameDrawn(expected, drawn)) expect(drawn, `case 4:${index}`).toEqual(expected);
    }
  });

  it('compiles nodes drawn alike into one function, and leaves and wrappers into their parents', () => {
    // Three array nodes of equal items and lengths (each with its own, unshared depth context):
    // one function, beside the tuple's; a fourth of another length: one more. The integers, the
    // noBias and the map are written into the arrays' function.
    const same = (x: number) => x;
    const list = (max: number) => fc.array(fc.noBias(fc.integer({ min: 0, max: 9 })).map(same), { maxLength: max });
    expect(drawStatus(fc.tuple(list(5), list(5), list(5))).functions).toBe(2);
    expect(drawStatus(fc.tuple(list(5), list(5), list(5), list(6))).functions).toBe(3);
    const status = drawStatus(defaultSpace.arbitrary);
    expect(status.functions! * 2).toBeLessThan(status.nodes!.known + status.nodes!.own);
  });

  it("writes a record builder's object literal itself, and refuses a builder whose keys do not say what it builds", () => {
    const keys = Symbol.for('gre-conformance.recordKeys');
    const builder = (order: string[]) => Object.defineProperty((v: number[]) => ({ a: v[0], b: v[1] }), keys, { value: order });
    const parts = fc.tuple(fc.noBias(fc.integer({ min: 0, max: 9 })), fc.noBias(fc.integer({ min: 100, max: 109 })));
    const honest = drawStatus(parts.map(builder(['a', 'b'])));
    expect(honest.fast).toBe(true);
    expect(honest.functions).toBe(0); // the whole draw is one expression of the root
    // Said keys in another order: the literal would have its keys, and values, swapped.
    const lying = drawStatus(parts.map(builder(['b', 'a'])));
    expect(lying.fast).toBe(false);
    expect(lying.reason).toMatch(/another value/);
    // The same values with keys in another order are another value too (a report's JSON differs).
    expect(sameDrawn({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });

  it('falls back to generate() when the drawer does not reproduce it', () => {
    // An impure mapper: generate() and the drawer each advance the counter, so the proof sees
    // two different values.
    let n = 0;
    const impure = fc.integer({ min: 0, max: 9 }).map((x) => x * 1000 + n++);
    const status = drawStatus(impure);
    expect(status.fast).toBe(false);
    expect(status.reason).toMatch(/another value/);
    const a = drawCase(impure, 5, 7);
    const b = generateCase(impure, 5, 7).value;
    expect(Math.floor(a / 1000)).toBe(Math.floor(b / 1000));
  });

  it('where code cannot be generated from strings, draws with generate(): the same cases, ids and fingerprint', () => {
    const run = (...node: string[]) => {
      const r = spawnSync(process.execPath, [...node, join(ROOT, 'bin/gre-conformance.mjs'), 'examples/js/buggy.mjs', '--seed', '3', '--runs', '300', '--no-vectors', '--reporter', 'json'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as { generators: string; totals: unknown; counterexamples: { caseId: string; packet: string }[] };
      return { generators: report.generators, totals: report.totals, found: report.counterexamples.map((c) => [c.caseId, c.packet]) };
    };
    expect(run('--disallow-code-generation-from-strings')).toEqual(run());
  }, 60_000);
});
