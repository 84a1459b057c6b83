import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { runSuite } from '../../runner/suite.ts';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { vectorCases } from '../../spec/vectors.ts';
const dir = new URL('../../test/fixtures/wrong/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort();
const all = createHash('sha256');
for (const f of files) {
  const m = await import(new URL(f, dir).href);
  for (const seed of [1, 7]) {
    const r = await runSuite(inProcessAdapter(m.toTuple), defaultSpace, { seed, runs: 3000, vectors: seed === 1 ? vectorCases() : [], replayCommand: (id) => id });
    const s = JSON.stringify({ ...r, durationMs: 0 });
    all.update(s);
    console.log(f.padEnd(40), seed, createHash('sha256').update(s).digest('hex').slice(0, 12), r.counterexamples.map((c) => `${c.rule}:${c.packet.length / 2}`).join(' '));
  }
}
const c = await import('../../examples/js/correct.mjs');
const r = await runSuite(inProcessAdapter(c.toTuple), defaultSpace, { seed: 3, runs: 20000, vectors: vectorCases(), replayCommand: (id) => id });
all.update(JSON.stringify({ ...r, durationMs: 0 }));
console.log('ALL', all.digest('hex'));
