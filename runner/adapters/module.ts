// Adapter 1 (CONTRACT.md section 4): a JavaScript or TypeScript module, run in a worker thread so
// that a hang, even a synchronous infinite loop, can be stopped with worker.terminate(). A batch
// travels as one transferred ArrayBuffer of packets; answers come back through shared memory
// (answer-slots.ts), and a shared counter of started cases lets a watchdog here time each case.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cachedBundle } from '../../bin/bundle-cache.mjs';
import type { Answer, KeymapEntry } from '../../spec/contract.ts';
import { readAnswers, SLOT_BYTES } from './answer-slots.ts';
import { newConsoleTail, readConsoleTail } from './console-tail.ts';
import { displayPath, isTypeScript, moduleEntry } from './module-entry.ts';
import type { BatchMessage, WorkerData, WorkerMessage } from './module-worker.ts';
import { withRequest } from './failure.ts';
import type { FailureBase } from './failure.ts';
import type { Adapter, AdapterOptions, CaseRequest, FailureKind } from './types.ts';
import { ImplementationError } from './types.ts';

export interface ModuleAdapterOptions extends AdapterOptions {
  /** How long loading the module may take (default max(10 s, timeoutMs)). */
  readonly loadTimeoutMs?: number;
}

export interface ModuleAdapter extends Adapter {
  /** The worker's thread id, for diagnostics. */
  readonly threadId: number;
  /** Settles once the worker thread has stopped, whatever stopped it. */
  readonly stopped: Promise<void>;
}

interface Pending {
  readonly batch: readonly CaseRequest[];
  /** Value of the started-cases counter when the batch was posted. */
  readonly base: number;
  readonly resolve: (a: Answer[]) => void;
  readonly reject: (e: unknown) => void;
}

/** The worker's script: its bundle (module-worker-main.ts), else module-worker.mjs through tsx. */
let script: Promise<URL> | undefined;
function workerScript(): Promise<URL> {
  script ??= cachedBundle(new URL('./module-worker-main.ts', import.meta.url), { name: 'runner-module-worker' }).then(
    (b) => b.url,
    () => new URL('./module-worker.mjs', import.meta.url),
  );
  return script;
}

/**
 * Starts a worker thread that imports the module at `path` (a file, or a package folder) and
 * resolves once its toTuple is found. Rejects with ImplementationError kind 'load' when the module
 * fails to load, hangs while loading, or exports no toTuple; with a plain Error when `path` is not
 * a module at all (a usage error).
 */
export async function openModuleAdapter(path: string, opts: ModuleAdapterOptions): Promise<ModuleAdapter> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = resolve(cwd, path);
  const entry = moduleEntry(abs);
  if (!entry) throw new Error(`${path} is not a module: expected a .js, .mjs, .cjs, .ts, .mts or .cts file, or a package folder with a package.json entry or an index.js`);
  const shown = displayPath(cwd, entry);
  const progress = new SharedArrayBuffer(4);
  const output = newConsoleTail();
  const data: WorkerData = { url: pathToFileURL(entry).href, typescript: isTypeScript(entry), progress, console: output };
  const worker = new Worker(await workerScript(), { workerData: data });
  const stopped = new Promise<void>((res) => worker.once('exit', () => res()));
  worker.on('error', () => undefined); // handled below; this keeps a late one from being unhandled

  const loadTimeoutMs = opts.loadTimeoutMs ?? Math.max(10_000, opts.timeoutMs);
  let via: string;
  try {
    via = await new Promise<string>((res, rej) => {
      const loadFailure = (message: string, detail?: string) =>
        rej(new ImplementationError({ kind: 'load', message: `${shown}: ${message}`, detail: withOutput(detail, output) }));
      const timer = setTimeout(() => loadFailure(`the module did not finish loading within ${loadTimeoutMs} ms`), loadTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const onMessage = (m: WorkerMessage) => {
        done();
        if (m.t === 'ready') res(m.via);
        else if (m.t === 'load-error') loadFailure(m.message, m.detail);
        else loadFailure(`unexpected message ${m.t} while loading`);
      };
      const onError = (e: unknown) => {
        done();
        loadFailure(`the module failed to load: ${e instanceof Error ? e.message : String(e)}`, e instanceof Error ? e.stack : undefined);
      };
      const onExit = (code: number) => {
        done();
        loadFailure(`the worker exited with code ${code} while loading the module`);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return new WorkerAdapter(worker, `module ${shown} (worker thread, ${via})`, opts.timeoutMs, progress, output, stopped);
}

class WorkerAdapter implements ModuleAdapter {
  readonly threadId: number;
  private readonly counter: Int32Array;
  private slots: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private started = 0;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private watchdog: NodeJS.Timeout | undefined;
  private failure: FailureBase | undefined;
  private closed = false;

  constructor(
    private readonly worker: Worker,
    readonly description: string,
    private readonly timeoutMs: number,
    progress: SharedArrayBuffer,
    private readonly output: SharedArrayBuffer,
    readonly stopped: Promise<void>,
  ) {
    this.threadId = worker.threadId;
    this.counter = new Int32Array(progress);
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (e: unknown) => {
      const detail = e instanceof Error ? e.stack ?? e.message : String(e);
      if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.fail('early-exit', 'the worker thread died: it ran out of memory', detail);
        return;
      }
      this.fail('crash', `the module threw outside toTuple (an uncaught exception or unhandled rejection): ${e instanceof Error ? e.message : String(e)}`, detail);
    });
    worker.on('exit', (code: number) => this.fail('early-exit', `the worker thread exited (code ${code}) before answering everything`));
    worker.unref();
  }

  answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
    const run = this.queue.then(() => this.run(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.stopWatchdog();
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error('the adapter was closed while a batch was in progress'));
    }
    await this.worker.terminate();
    await this.stopped;
  }

  private run(batch: readonly CaseRequest[]): Promise<Answer[]> {
    if (this.closed) return Promise.reject(new Error('answer() called after close()'));
    if (this.failure) return Promise.reject(withRequest(this.failure, batch[0]));
    if (batch.length === 0) return Promise.resolve([]);
    const msg = this.pack(batch);
    return new Promise<Answer[]>((res, rej) => {
      this.pending = { batch, base: this.started, resolve: res, reject: rej };
      this.started = (this.started + batch.length) | 0;
      this.worker.ref();
      this.worker.postMessage(msg, [msg.packets, msg.offsets.buffer as ArrayBuffer, msg.keymapIndex.buffer as ArrayBuffer]);
      this.startWatchdog();
    });
  }

  private pack(batch: readonly CaseRequest[]): BatchMessage {
    const n = batch.length;
    const offsets = new Uint32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = total;
      total += batch[i]!.packet.length;
    }
    offsets[n] = total;
    const bytes = new Uint8Array(total);
    const keymapIndex = new Uint32Array(n);
    const keymaps: KeymapEntry[][] = [];
    const seen = new Map<readonly KeymapEntry[], number>();
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      bytes.set(r.packet, offsets[i]!);
      let k = seen.get(r.keymap);
      if (k === undefined) {
        k = keymaps.push(r.keymap.map((e) => ({ src: e.src, dst: e.dst, dstkey: e.dstkey, srckey: e.srckey }))) - 1;
        seen.set(r.keymap, k);
      }
      keymapIndex[i] = k;
    }
    let slots: SharedArrayBuffer | undefined;
    if (this.slots.length < n * SLOT_BYTES) {
      slots = new SharedArrayBuffer(Math.max(n, 2 * (this.slots.length / SLOT_BYTES)) * SLOT_BYTES);
      this.slots = new Uint8Array(slots);
    }
    return { packets: bytes.buffer, offsets, keymapIndex, keymaps, ...(slots ? { slots } : {}) };
  }

  private onMessage(m: WorkerMessage): void {
    const p = this.pending;
    if (!p) return;
    if (m.t === 'done') {
      this.settle();
      p.resolve(readAnswers(this.slots, p.batch.length));
    } else if (m.t === 'crash' || m.t === 'malformed') {
      this.fail(m.t, m.message, m.detail, m.index);
    }
  }

  /** Index in the pending batch of the case in progress, from the shared counter. */
  private inProgress(p: Pending): number {
    const startedInBatch = (Atomics.load(this.counter, 0) - p.base) | 0;
    return Math.min(Math.max(startedInBatch - 1, 0), p.batch.length - 1);
  }

  private startWatchdog(): void {
    // A case is timed from the first time the watchdog sees it in progress, so a hang is stopped
    // between timeoutMs and timeoutMs + 2 periods after it began.
    const period = Math.min(100, Math.max(5, Math.floor(this.timeoutMs / 10)));
    let seen = Atomics.load(this.counter, 0);
    let since = performance.now();
    this.watchdog = setInterval(() => {
      const p = this.pending;
      if (!p) return;
      const now = performance.now();
      const c = Atomics.load(this.counter, 0);
      if (c !== seen) {
        seen = c;
        since = now;
      } else if (now - since > this.timeoutMs) {
        this.fail('timeout', `no answer within ${this.timeoutMs} ms (toTuple hangs or is too slow)`);
      }
    }, period);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private settle(): void {
    this.stopWatchdog();
    this.pending = undefined;
    this.worker.unref();
  }

  /** Records a failure, stops the worker and rejects the pending batch with it. */
  private fail(kind: FailureKind, message: string, detail?: string, index?: number): void {
    if (this.failure || this.closed) return;
    const p = this.pending;
    const at = p ? index ?? this.inProgress(p) : undefined;
    const request = p && at !== undefined ? p.batch[at] : undefined;
    const partial = p && at !== undefined ? readAnswers(this.slots, at) : [];
    const full = withOutput(detail, this.output);
    this.failure = { kind, message, ...(full !== undefined ? { detail: full } : {}) };
    this.settle();
    void this.worker.terminate();
    p?.reject(withRequest(this.failure, request, partial));
  }
}

function withOutput(detail: string | undefined, output: SharedArrayBuffer): string | undefined {
  const tail = readConsoleTail(output);
  if (!tail) return detail;
  return `${detail ? detail + '\n' : ''}console output (tail):\n${tail}`;
}


