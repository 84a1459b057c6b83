// A direct-call adapter for library users (checkConformance inside their own test runner):
// fastest, but a hang cannot be stopped here; the user's test runner's timeout covers that.
import type { Answer, ToTuple } from '../spec/contract.ts';
import { answerShapeError, toAnswer } from '../spec/answer-shape.ts';
import { ImplementationError, type Adapter, type CaseRequest } from './adapters/types.ts';

export function inProcessAdapter(toTuple: ToTuple, description = 'in-process function'): Adapter {
  return {
    description,
    async answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
      const out: Answer[] = [];
      for (const req of batch) {
        let raw: unknown;
        try {
          raw = toTuple(req.packet.slice(), { keymap: req.keymap });
          if (raw && typeof (raw as Promise<unknown>).then === 'function') raw = await raw;
        } catch (e) {
          throw new ImplementationError({ kind: 'crash', message: `toTuple threw: ${(e as Error)?.message ?? String(e)}`, request: req, detail: (e as Error)?.stack ?? '' }, out);
        }
        const err = answerShapeError(raw);
        if (err) throw new ImplementationError({ kind: 'malformed', message: `malformed answer: ${err}`, request: req }, out);
        out.push(toAnswer(raw));
      }
      return out;
    },
    async close() {},
  };
}
