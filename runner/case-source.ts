// Where the suite's generated cases come from: chunks of encoded cases seed:start..start+n-1, in
// index order. Drawing and encoding a case is most of a run's time, and each case depends only
// on (seed, index), so a pool of worker threads can do it ahead while this thread asks the
// oracle and the implementation. A case space can be drawn in workers only when a worker can
// load it by itself (CaseSpace.workerModule); otherwise, and for small runs, cases are drawn
// here, one chunk at a time.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeymapEntry } from '../spec/contract.ts';
import type { CaseSpace } from './case-space.ts';
import { drawCase } from './case-id.ts';

/**
 * How many generation workers a run of `runs` cases should use. Measured on 2 CPUs: this thread
 * draws about 130,000 cases/s itself and a worker barely beats it once it runs, because the
 * oracle, the answers and the implementation need the other CPU; and starting a worker costs a
 * quarter of a second (it loads the generators), a third of a 100,000-case run. So workers are
 * for machines with CPUs to spare (one for this thread, one for the implementation) and for runs
 * long enough to pay for the start: 500,000 cases or more, or fuzzing.
 */
export function defaultGenerationWorkers(runs: number, fuzz = false, cpus = availableParallelism()): number {
  if (cpus < 3 || (!fuzz && runs < 500_000)) return 0;
  return Math.min(4, cpus - 2);
}

export interface CaseChunk {
  readonly start: number;
  readonly packets: readonly Uint8Array[];
  readonly keymaps: readonly (readonly KeymapEntry[])[];
}

export interface CaseSource {
  /** The next chunk, continuing where the last one ended. */
  next(): Promise<CaseChunk>;
  close(): Promise<void>;
  readonly description: string;
}

const NO_KEYMAP: readonly KeymapEntry[] = Object.freeze([]);

/** Draws and encodes cases start..start+count-1 (the work one worker message asks for). */
export function encodeChunk<T>(space: CaseSpace<T>, seed: number, start: number, count: number): CaseChunk {
  const packets: Uint8Array[] = [];
  const keymaps: (readonly KeymapEntry[])[] = [];
  for (let index = start; index < start + count; index++) {
    const { packet, keymap } = space.encode(drawCase(space.arbitrary, seed, index));
    packets.push(packet);
    keymaps.push(keymap.length === 0 ? NO_KEYMAP : keymap);
  }
  return { start, packets, keymaps };
}

export function inThreadSource<T>(space: CaseSpace<T>, seed: number, chunkSize = 256): CaseSource {
  let start = 0;
  return {
    description: 'this thread',
    async next() {
      const c = encodeChunk(space, seed, start, chunkSize);
      start += chunkSize;
      return c;
    },
    async close() {},
  };
}

/** A chunk as a worker posts it: the packets back to back in one transferred buffer. */
export interface WireChunk {
  readonly id: number;
  readonly start: number;
  readonly bytes: ArrayBuffer;
  /** End offset of each packet in `bytes`. */
  readonly ends: Uint32Array;
  /** [position in the chunk, keymap] for the cases that have one. */
  readonly keymaps: readonly [number, KeymapEntry[]][];
  readonly error?: string;
}

export function toWire(id: number, c: CaseChunk): WireChunk {
  let total = 0;
  for (const p of c.packets) total += p.length;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(c.packets.length);
  const keymaps: [number, KeymapEntry[]][] = [];
  let off = 0;
  c.packets.forEach((p, i) => {
    bytes.set(p, off);
    off += p.length;
    ends[i] = off;
    if (c.keymaps[i]!.length > 0) keymaps.push([i, [...c.keymaps[i]!]]);
  });
  return { id, start: c.start, bytes: bytes.buffer, ends, keymaps };
}

function fromWire(w: WireChunk): CaseChunk {
  const all = new Uint8Array(w.bytes);
  const packets: Uint8Array[] = [];
  const keymaps: (readonly KeymapEntry[])[] = [];
  let off = 0;
  for (let i = 0; i < w.ends.length; i++) {
    // Views of the transferred buffer: adapters hand implementations copies of their own.
    packets.push(all.subarray(off, w.ends[i]!));
    keymaps.push(NO_KEYMAP);
    off = w.ends[i]!;
  }
  for (const [i, km] of w.keymaps) keymaps[i] = km;
  return { start: w.start, packets, keymaps };
}

export interface WorkerSourceOptions {
  readonly workers: number;
  /** Cases per message (default 1024). */
  readonly chunkSize?: number;
}

/** Chunks from worker threads, asked ahead (two per worker) and handed out in index order. */
export async function workerSource<T>(space: CaseSpace<T>, seed: number, o: WorkerSourceOptions): Promise<CaseSource> {
  const where = space.workerModule;
  if (!where) throw new Error('this case space cannot be drawn in worker threads (no workerModule)');
  const chunkSize = o.chunkSize ?? 1024;
  const workers = await Promise.all(Array.from({ length: Math.max(1, o.workers) }, () => new Promise<Worker>((resolve, reject) => {
    const w = new Worker(new URL('./case-source-worker.mjs', import.meta.url), { workerData: where });
    w.once('error', reject);
    w.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve(w) : reject(new Error(`case worker: ${m.error}`))));
  })));
  const waiting = new Map<number, { resolve: (c: CaseChunk) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const p of waiting.values()) p.reject(failure);
    waiting.clear();
  };
  for (const w of workers) {
    w.unref(); // a source nobody closed must not keep the process alive
    w.on('message', (m: WireChunk) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (!p) return;
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(fromWire(m));
    });
    w.on('error', (e) => failAll(new Error(`case worker stopped: ${e.message}`)));
    w.on('exit', (code) => { if (code !== 0) failAll(new Error(`case worker exited with code ${code}`)); });
  }
  let nextId = 0;
  let nextStart = 0;
  const inFlight: Promise<CaseChunk>[] = [];
  const ask = () => {
    const id = nextId++;
    const start = nextStart;
    nextStart += chunkSize;
    inFlight.push(new Promise<CaseChunk>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.set(id, { resolve, reject });
      workers[id % workers.length]!.postMessage({ id, seed, start, count: chunkSize });
    }));
    // Unawaited chunks left at close must not become unhandled rejections.
    inFlight[inFlight.length - 1]!.catch(() => undefined);
  };
  for (let i = 0; i < 2 * workers.length; i++) ask();
  return {
    description: `${workers.length} worker thread${workers.length === 1 ? '' : 's'}`,
    async next() {
      const c = inFlight.shift()!;
      ask();
      return c;
    },
    async close() {
      waiting.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
