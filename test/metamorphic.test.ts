// The metamorphic tier (generators/relations.ts, runner/metamorphic.ts): wherever a relation
// applies, the oracle gives the edited twin the answer the relation claims (the same answer, or
// the inverted tuple); a correct implementation passes, the buggy example fails under the
// relation its bug breaks; and the replay command a failure prints runs that case again.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import type { ToTuple } from '../spec/contract.ts';
import { RELATIONS } from '../generators/relations.ts';
import { encodeCase, describeCase } from '../generators/index.ts';
import { linuxVerdict, inOracleScope, invertTuple } from '../oracles/index.ts';
import { drawCase } from '../runner/case-id.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { runMetamorphic } from '../runner/metamorphic.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const load = async (path: string) => ((await import(join(ROOT, path))) as { toTuple: ToTuple }).toTuple;

describe('metamorphic relations', () => {
  it.each(RELATIONS.map((r) => [r.id, r] as const))('%s: the oracle gives the twin the answer the relation claims', (_id, relation) => {
    let applied = 0;
    for (let index = 0; index < 5000; index++) {
      const base = drawCase(defaultSpace.arbitrary, 11, index);
      const twin = relation.apply(base);
      if (twin === undefined) continue;
      const b = encodeCase(base), t = encodeCase(twin);
      const vb = linuxVerdict(b.packet, { keymap: b.keymap }), vt = linuxVerdict(t.packet, { keymap: t.keymap });
      if (!inOracleScope(vb.l4proto) || !inOracleScope(vt.l4proto)) continue;
      applied++;
      const claimed = relation.expect === 'inverted' && vb.tuple !== null ? invertTuple(vb.tuple) : vb.tuple;
      expect(vt.tuple, `case 11:${index}: ${describeCase(base)} -> ${describeCase(twin)}`).toEqual(claimed);
    }
    expect(applied).toBeGreaterThan(100);
  });
});

describe('the metamorphic tier', () => {
  const opts = { seed: 5, runs: 2000, arbitrary: defaultSpace.arbitrary, replayCommand: (id: string) => id };

  it('a correct implementation agrees with itself across every relation', async () => {
    const r = await runMetamorphic(inProcessAdapter(await load('examples/js/correct.mjs')), opts);
    expect(r.totals.failures).toBe(0);
    for (const relation of RELATIONS) expect(r.rows.find((x) => x.rule === relation.rule)!.cases, relation.id).toBeGreaterThan(0);
  });

  it('the buggy example (the v0 key in the tuple) fails under GRE-2: another key changed its answer', async () => {
    const r = await runMetamorphic(inProcessAdapter(await load('examples/js/buggy.mjs')), opts);
    const c = r.counterexamples.find((x) => x.rule === 'GRE-2');
    expect(c?.reason).toMatch(/^relation v0-key-and-payload-changed/);
    expect(c?.caseId).toMatch(/^5:\d+@[0-9a-f]{8}$/);
  });

  it('the replay command of a failure runs that one case and fails the same way; other ids are refused', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/gre-conformance.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const run = cli('examples/js/buggy.mjs', '--metamorphic', '--seed', '5', '--runs', '2000', '--reporter', 'json');
    expect(run.status).toBe(1);
    const c = (JSON.parse(run.stdout) as { counterexamples: { rule: string; caseId: string; replay: string }[] }).counterexamples.find((x) => x.rule === 'GRE-2')!;
    expect(c.replay).toBe(`npx gre-conformance examples/js/buggy.mjs --replay ${c.caseId} --metamorphic`);
    const again = cli('examples/js/buggy.mjs', '--replay', c.caseId, '--metamorphic', '--reporter', 'json');
    expect(again.status, again.stderr).toBe(1);
    const report = JSON.parse(again.stdout) as { runs: number; counterexamples: { rule: string; caseId: string; packet: string }[] };
    expect(report.runs).toBe(1);
    expect(report.counterexamples.find((x) => x.rule === 'GRE-2')).toMatchObject({ caseId: c.caseId });
    for (const id of ['vector:v0-key-bit-and-key-field-ignored', `${c.caseId.split('@')[0]}:0`]) {
      const refused = cli('examples/js/buggy.mjs', '--replay', id, '--metamorphic');
      expect(refused.status, id).toBe(3);
      expect(refused.stderr).toContain('--metamorphic replays a case of its own report');
    }
  }, 60_000);
});
