// A user's own vitest test of a GRE tuple function, with gre-conformance as a library
// (npm install --save-dev gre-conformance vitest @fast-check/vitest). Copy it next to your
// code and put your function where this file loads the bundled example.
//
// Two ways to use the suite, and they go together:
//   - assertConformance runs the whole suite in-process (the catalogue's vectors, then
//     generated cases, shrunk and blamed on a rule) and throws with the same report the CLI
//     prints; checkConformance returns that report as data instead;
//   - the arbitraries and the oracle let you write your own properties: greCase() generates
//     GRE datagrams (IPv4/IPv6, v0/v1, lying headers, keymaps), encodeCase turns one into the
//     bytes and keymap your function receives, and linuxTuple is the answer Linux gives.
import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { answersAgree, assertConformance, encodeCase, greCase, linuxTuple, type ToTuple } from 'gre-conformance';

// Yours: `import { toTuple } from '../src/gre.ts';`. The bundled example is plain JavaScript
// without type declarations, so it is loaded and typed here by hand.
const { toTuple }: { toTuple: ToTuple } = await import(new URL('../js/correct.mjs', import.meta.url).href);

describe('my GRE tuple function', () => {
  test('agrees with Linux conntrack on the rule catalogue and 3000 generated datagrams', async () => {
    // A fixed seed makes every run the same cases; leave it out to explore new ones (the
    // report names the seed, and { seed } replays it).
    await assertConformance(toTuple, { runs: 3000, seed: 42 });
  });

  test.prop([greCase()], { numRuns: 500 })('answers the tuple Linux builds for any GRE datagram', async (c) => {
    const { packet, keymap } = encodeCase(c);
    // answersAgree compares addresses as bytes, as the suite does: any IPv6 spelling is fine.
    const mine = await toTuple(packet, { keymap });
    const linux = linuxTuple(packet, { keymap });
    expect(answersAgree(linux, mine), `${JSON.stringify(mine)} vs Linux ${JSON.stringify(linux)}`).toBe(true);
  });
});
