// Shrinking one failure, fast-check style: walk the arbitrary's shrink stream and move to the
// first smaller case that still fails on the same rule; repeat until none does. Candidates are
// asked in chunks so a process or worker round trip serves many of them.
import type fc from 'fast-check';
import type { RuleId } from '../spec/rules.ts';
import { inOracleScope } from '../oracles/index.ts';
import type { Adapter } from './adapters/types.ts';
import type { CaseSpace } from './case-space.ts';
import type { Evaluated, Oracle, RequestIds } from './suite.ts';
import { diffAnswers } from './compare.ts';
import { blameBatch, type Blamed } from './blame.ts';
import { AnsweredOnce } from './adapters/answered-once.ts';

const CHUNK = 24;

export interface Shrunk<T> {
  readonly value: fc.Value<T>;
  readonly path: number[];
  readonly evaluations: number;
  readonly evaluated: Evaluated;
  readonly blamed: Blamed;
}

export async function shrinkFailure<T>(
  implementation: Adapter, ids: RequestIds, space: CaseSpace<T>, oracle: Oracle,
  start: fc.Value<T>, rule: RuleId, budget: number,
): Promise<Shrunk<T> | undefined> {
  // Candidates and blame probes alike: each datagram is asked once, and the budget counts those.
  const adapter = new AnsweredOnce(implementation);
  // Re-evaluate the start, so the result always holds the implementation's answer for it.
  const first = await evaluate([start]);
  const startEv = first[0]!;
  if (diffAnswers(startEv.verdict.tuple, startEv.actual).length === 0) return undefined;
  const [startBlame] = await blameBatch(adapter, ids, space, oracle, [{ value: start.value, verdict: startEv.verdict, actual: startEv.actual }]);
  let best: Shrunk<T> = { value: start, path: [], evaluations: adapter.asked, evaluated: startEv, blamed: startBlame! };

  async function evaluate(values: fc.Value<T>[]): Promise<Evaluated[]> {
    const enc = values.map((v) => {
      const { packet, keymap } = space.encode(v.value);
      return { packet, keymap, verdict: oracle(packet, { keymap }) };
    });
    const inScope = enc.map((e) => inOracleScope(e.verdict.l4proto));
    const asked = enc.filter((_, i) => inScope[i]);
    const answers = asked.length > 0 ? await adapter.answer(asked.map((e) => ids.request(e.packet, e.keymap))) : [];
    let k = 0;
    // Out-of-scope candidates count as passing: the oracle says nothing exact about them.
    return enc.map((e, i) => ({ ...e, actual: inScope[i] ? answers[k++]! : e.verdict.tuple }));
  }

  outer: while (adapter.asked < budget) {
    const it = space.arbitrary.shrink(best.value.value, best.value.context)[Symbol.iterator]();
    let pos = 0;
    for (;;) {
      const chunk: fc.Value<T>[] = [];
      for (let n = 0; n < CHUNK; n++) {
        const r = it.next();
        if (r.done) break;
        chunk.push(r.value);
      }
      if (chunk.length === 0 || adapter.asked >= budget) break outer;
      const evs = await evaluate(chunk);
      for (let i = 0; i < evs.length; i++) {
        const ev = evs[i]!;
        if (diffAnswers(ev.verdict.tuple, ev.actual).length === 0) continue;
        const [b] = await blameBatch(adapter, ids, space, oracle, [{ value: chunk[i]!.value, verdict: ev.verdict, actual: ev.actual }]);
        if (b!.rule !== rule) continue;
        best = { value: chunk[i]!, path: [...best.path, pos + i], evaluations: adapter.asked, evaluated: ev, blamed: b! };
        continue outer;
      }
      pos += chunk.length;
    }
  }
  return { ...best, evaluations: adapter.asked };
}
