// The module adapter's worker side: loads the user's module, answers batches in order, writes each
// validated answer into shared memory (answer-slots.ts) and publishes which case is in progress so
// the main thread can time a hang out, even a synchronous infinite loop (CONTRACT.md sections 4, 6).
import { parentPort } from 'node:worker_threads';
import { inspect } from 'node:util';
import { answerShapeError } from '../../spec/answer-shape.ts';
import type { Answer, Context, KeymapEntry } from '../../spec/contract.ts';
import { writeAnswer } from './answer-slots.ts';
import { captureConsole } from './console-tail.ts';

export interface WorkerData {
  /** file: URL of the user's module. */
  readonly url: string;
  readonly typescript: boolean;
  /** Int32Array view: [0] counts cases started, over the worker's life (it wraps; compare with ===). */
  readonly progress: SharedArrayBuffer;
  /** Where the module's console output goes (console-tail.ts). */
  readonly console: SharedArrayBuffer;
}

export interface BatchMessage {
  /** Packets back to back; packet i is bytes offsets[i]..offsets[i+1]. */
  readonly packets: ArrayBuffer;
  readonly offsets: Uint32Array;
  /** keymaps[keymapIndex[i]] is case i's keymap: a batch usually shares one or two. */
  readonly keymapIndex: Uint32Array;
  readonly keymaps: KeymapEntry[][];
  /** A new answer area, sent when the batch outgrows the previous one. */
  readonly slots?: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly t: 'ready'; readonly via: string }
  | { readonly t: 'load-error'; readonly message: string; readonly detail?: string }
  | { readonly t: 'done' }
  | { readonly t: 'crash'; readonly index: number; readonly message: string; readonly detail: string }
  | { readonly t: 'malformed'; readonly index: number; readonly message: string; readonly detail: string };

type ToTupleFn = (packet: Uint8Array, context: Context) => unknown;

export async function serve(data: WorkerData, load: (url: string) => Promise<Record<string, unknown>>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('module-worker.ts runs only in a worker thread');
  const post = (m: WorkerMessage): void => port.postMessage(m);
  captureConsole(data.console);
  let found: { fn: ToTupleFn; via: string } | undefined;
  try {
    const ns = await load(data.url);
    found = pick(ns);
    if (!found) {
      const names = Object.keys(ns).join(', ') || 'none';
      post({
        t: 'load-error',
        message: 'the module has no toTuple function: expected a named export toTuple, a default export function, or a default export object with a toTuple method',
        detail: `exports found: ${names}`,
      });
      return;
    }
  } catch (e) {
    post({ t: 'load-error', message: `the module failed to load: ${firstLine(e)}`, detail: describeError(e) });
    return;
  }
  const { fn } = found;
  const progress = new Int32Array(data.progress);
  let slots: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  let started = 0;

  port.on('message', (m: BatchMessage) => {
    if (m.slots) slots = new Uint8Array(m.slots);
    void run(m);
  });
  post({ t: 'ready', via: found.via });

  async function run(m: BatchMessage): Promise<void> {
    const bytes = new Uint8Array(m.packets);
    const { offsets, keymapIndex } = m;
    const keymaps = m.keymaps.map(freezeKeymap);
    const n = keymapIndex.length;
    for (let i = 0; i < n; i++) {
      // Publish "case i in progress" only after answer i-1 is in its slot (Atomics orders both).
      started = (started + 1) | 0;
      Atomics.store(progress, 0, started);
      const packet = bytes.slice(offsets[i]!, offsets[i + 1]!);
      let r: unknown;
      try {
        r = fn(packet, { keymap: keymaps[keymapIndex[i]!]! });
        if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') r = await r;
      } catch (e) {
        post({ t: 'crash', index: i, message: `toTuple threw: ${firstLine(e)}`, detail: describeError(e) });
        return;
      }
      const shape = answerShapeError(r);
      if (shape !== undefined) {
        post({ t: 'malformed', index: i, message: shape, detail: `toTuple returned ${inspect(r, { depth: 4, breakLength: Infinity })}` });
        return;
      }
      writeAnswer(slots, i, r as Answer);
    }
    post({ t: 'done' });
  }
}

function pick(ns: Record<string, unknown>): { fn: ToTupleFn; via: string } | undefined {
  if (typeof ns.toTuple === 'function') return { fn: ns.toTuple as ToTupleFn, via: 'named export toTuple' };
  const d = ns.default;
  if (typeof d === 'function') return { fn: d as ToTupleFn, via: 'default export' };
  if (d && typeof d === 'object' && typeof (d as { toTuple?: unknown }).toTuple === 'function') {
    const obj = d as { toTuple: ToTupleFn };
    return { fn: (p, c) => obj.toTuple(p, c), via: 'default export toTuple' };
  }
  return undefined;
}

function freezeKeymap(k: KeymapEntry[]): readonly KeymapEntry[] {
  // Shared by the cases of a batch: frozen so one call cannot change what the next one sees.
  for (const e of k) Object.freeze(e);
  return Object.freeze(k);
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return `thrown value: ${inspect(e, { depth: 4, breakLength: Infinity })}`;
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : inspect(e, { depth: 2, breakLength: Infinity });
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? line.slice(0, 197) + '...' : line;
}
