// Worker-thread entry of `corpus generate --jobs N`: answers { k, seed, start, count, format }
// messages (k: the chunk's number) with chunks whose two buffers (capture records, expected
// lines) are shared, not copied. Started as one bundled script (worker-script.ts), or
// through ts-worker.mjs where bundling is not possible.
import { parentPort } from 'node:worker_threads';
import { generateChunk, type ChunkBuffers } from './generate-chunk.ts';
import type { RecordFormat } from '../capture/index.ts';

/** A chunk to make: its number, cases seed:start.., and buffers written already to make it in. */
export interface ChunkOrder { readonly k: number; readonly seed: number; readonly start: number; readonly count: number; readonly format: RecordFormat; readonly reuse?: ChunkBuffers }

const port = parentPort;
if (!port) throw new Error('generate-worker.ts runs in a worker thread of corpus generate');
port.on('message', (m: ChunkOrder) => {
  const c = generateChunk(m.seed, m.start, m.count, m.format, undefined, m.reuse);
  // Not transferred: the chunk's buffers are shared (generate-chunk.ts, sharedBytes).
  port.postMessage({ k: m.k, chunk: c });
});
port.postMessage({ ready: true });
