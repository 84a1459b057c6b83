// An adapter that asks its implementation about each (datagram, keymap) once and answers repeats
// from memory. The contract's answer is a function of its input, and shrinking meets the same
// datagram again and again: a move and a part's own shrink that meet, a field that does not reach
// the bytes, a blame probe equal to an earlier candidate. Every question costs a round trip (a
// worker, a process, the live kernel), and a shrink's budget is counted in questions.
import type { Answer, KeymapEntry } from '../../spec/contract.ts';
import type { Adapter, CaseRequest } from './types.ts';
import { toHex } from '../hex.ts';

function keyOf(r: { readonly packet: Uint8Array; readonly keymap: readonly KeymapEntry[] }): string {
  return r.keymap.length === 0 ? toHex(r.packet) : `${toHex(r.packet)} ${JSON.stringify(r.keymap)}`;
}

export class AnsweredOnce implements Adapter {
  private readonly known = new Map<string, Answer>();
  /** Requests passed on to the implementation so far. */
  asked = 0;

  constructor(private readonly inner: Adapter) {}

  get description(): string {
    return this.inner.description;
  }

  async answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
    const fresh = new Map<string, CaseRequest>();
    const keys = batch.map((r) => {
      const k = keyOf(r);
      if (!this.known.has(k) && !fresh.has(k)) fresh.set(k, r);
      return k;
    });
    if (fresh.size > 0) {
      const answers = await this.inner.answer([...fresh.values()]);
      this.asked += fresh.size;
      let i = 0;
      for (const k of fresh.keys()) this.known.set(k, answers[i++]!);
    }
    return keys.map((k) => this.known.get(k)!);
  }

  /** The implementation is the caller's: it outlives this memory. */
  async close(): Promise<void> {}
}
