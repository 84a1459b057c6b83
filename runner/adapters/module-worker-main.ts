// Worker-thread entry of the module adapter (module.ts) when it starts from a bundle
// (bin/bundle-cache.mjs): its own logic bundled, the user's module imported as it is, through
// tsx only when it is TypeScript. Started through module-worker.mjs instead, the worker loaded
// tsx for every module and its logic through tsx's loader thread: a run of the 173 vectors and
// one case took about 0.25 s from spawn to exit, most of it the worker starting.
import { workerData } from 'node:worker_threads';
import { serve, type WorkerData } from './module-worker.ts';

const data = workerData as WorkerData;
await serve(data, async (url) => {
  if (!data.typescript) return import(url) as Promise<Record<string, unknown>>;
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url) as Promise<Record<string, unknown>>;
});
