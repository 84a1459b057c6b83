// Worker-thread entry of `corpus generate --jobs N`. Plain JavaScript because a worker starts
// without the parent's TypeScript loader: it registers tsx and loads generate-chunk.ts, then
// answers { k, seed, start, count, format } messages (k: the chunk's number) with chunks whose two buffers (capture
// records, expected lines) are transferred, not copied. register() rather than tsImport(), as in
// runner/case-source-worker.mjs: modules shared with other imports stay single copies.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { generateChunk } = await import('./generate-chunk.ts');
parentPort.on('message', (m) => {
  const c = generateChunk(m.seed, m.start, m.count, m.format);
  parentPort.postMessage({ k: m.k, chunk: c }, [c.records.bytes.buffer, c.lines.buffer]);
});
parentPort.postMessage({ ready: true });
