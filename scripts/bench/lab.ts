// 5. Kernel lab: datagrams of the suite's mix (no keymaps: the lab's kernel has none) verified
// against the live kernel, i.e. lab.observe() plus compareWithOracle for each, per second.
// Opening and closing the lab (namespaces, nft, the injector) is not timed.
import { greCase, encodeCase } from '../../generators/index.ts';
import { drawCase } from '../../runner/case-id.ts';
import { compareWithOracle, labAvailable, openLab } from '../../lab/index.ts';
import { progress, since, type PartOptions } from './options.ts';
import type { Row } from './table.ts';

const PART = 'lab';

export async function run(o: PartOptions): Promise<Row[]> {
  const name = `kernel lab: datagrams verified against the live kernel`;
  const avail = await labAvailable();
  if (!avail.ok) return [{ part: PART, name, unit: '/s', values: [], target: { op: '>=', value: 20_000 }, skipped: `${avail.reason} (${avail.install})` }];
  const arb = greCase({ keymap: false });
  const rates: number[] = [];
  let disagree = 0, expected = 0, total = 0;
  const lab = await openLab();
  try {
    for (let r = 0; r < o.runs; r++) {
      const cases = Array.from({ length: o.labCases }, (_, i) => ({ packet: encodeCase(drawCase(arb, o.seed + r, i)).packet }));
      const t0 = performance.now();
      const obs = await lab.observe(cases);
      for (const ob of obs) {
        const d = compareWithOracle(ob);
        if (d?.expected) expected++;
        else if (d) disagree++;
      }
      rates.push(cases.length / since(t0));
      total += cases.length;
      progress(`run ${r + 1}: ${cases.length} datagrams, ${Math.round(rates[r]!)}/s`);
    }
  } catch (e) {
    return [{ part: PART, name, unit: '/s', values: [], target: { op: '>=', value: 20_000 }, skipped: `the lab failed: ${(e as Error).message.split('\n')[0]}` }];
  } finally {
    await lab.close();
  }
  return [{
    part: PART, name: `${name}, ${o.labCases.toLocaleString('en-US')} per run`, unit: '/s', values: rates, target: { op: '>=', value: 20_000 },
    ratio: `${disagree} disagreements in ${total.toLocaleString('en-US')}${expected ? ` (+${expected} expected)` : ''}`,
  }];
}
