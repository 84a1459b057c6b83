// A worker thread on a TypeScript module, for where worker-script.ts cannot bundle it: a worker
// starts without the parent's TypeScript loader, so this registers tsx and imports the module
// named in workerData. register() rather than tsImport(), as in runner/case-source-worker.mjs:
// modules shared with other imports stay single copies.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
