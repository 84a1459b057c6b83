// Worker-thread entry of runner/case-source.ts. Plain JavaScript because a worker starts without
// the parent's TypeScript loader: it registers tsx, loads the case space named in workerData,
// then answers { id, seed, start, count } with the encoded chunk (its buffers transferred, not
// copied). register(), not tsImport(): tsImport loads every module in a namespace of its own,
// fast-check included, and a second fast-check's combinators are not the ones runner/draw.ts
// knows, so every case was drawn the slow way.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
try {
  const { encodeChunk, toWire } = await import('./case-source.ts');
  const space = (await import(workerData.url))[workerData.exportName];
  if (!space || !space.arbitrary || typeof space.encode !== 'function') throw new Error(`${workerData.url} has no case space named ${workerData.exportName}`);
  parentPort.on('message', (m) => {
    let wire;
    try {
      wire = toWire(m.id, encodeChunk(space, m.seed, m.start, m.count));
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: `generating cases ${m.seed}:${m.start}..${m.start + m.count - 1}: ${e?.stack ?? e}` });
      return;
    }
    parentPort.postMessage(wire, [wire.bytes, wire.ends.buffer]);
  });
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ error: String(e?.stack ?? e) });
}
