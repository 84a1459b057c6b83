// Worker-thread entry of `corpus generate --jobs N`. Plain JavaScript because a worker starts
// without the parent's TypeScript loader: it loads generate-chunk.ts through tsx, then answers
// { seed, start, count } messages with chunks (the packets' buffers transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { generateChunk } = await tsImport('./generate-chunk.ts', import.meta.url);
parentPort.on('message', (m) => {
  const c = generateChunk(m.seed, m.start, m.count);
  parentPort.postMessage({ id: m.id, ...c }, c.packets.map((p) => p.buffer));
});
parentPort.postMessage({ ready: true });
