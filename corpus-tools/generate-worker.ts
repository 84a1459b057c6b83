// Worker-thread entry of `corpus generate --jobs N`: answers { k, seed, start, count, format }
// messages (k: the chunk's number) with chunks whose two buffers (capture records, expected
// lines) are transferred, not copied. Started as one bundled script (worker-script.ts), or
// through ts-worker.mjs where bundling is not possible.
import { parentPort } from 'node:worker_threads';
import { generateChunk } from './generate-chunk.ts';
import type { RecordFormat } from '../capture/index.ts';

const port = parentPort;
if (!port) throw new Error('generate-worker.ts runs in a worker thread of corpus generate');
port.on('message', (m: { k: number; seed: number; start: number; count: number; format: RecordFormat }) => {
  const c = generateChunk(m.seed, m.start, m.count, m.format);
  port.postMessage({ k: m.k, chunk: c }, [c.records.bytes.buffer as ArrayBuffer, c.lines.buffer as ArrayBuffer]);
});
port.postMessage({ ready: true });
