// Worker-thread entry of the module adapter (module.ts) where its bundle cannot be used
// (module-worker-main.ts is the usual one). Plain JavaScript because a worker starts without the
// parent's TypeScript loader: it loads its own logic (module-worker.ts) through tsx, then the
// user's module, through tsx only when the module is TypeScript.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const logic = await tsImport('./module-worker.ts', import.meta.url);
await logic.serve(workerData, (url) => (workerData.typescript ? tsImport(url, import.meta.url) : import(url)));
