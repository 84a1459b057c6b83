// `corpus generate`: N generated cases written as a capture (pcap or pcapng, raw IP or Ethernet)
// plus FILE.expected.ndjson, one line per packet. Case i of the corpus is case seed:i of the
// suite. The output depends only on (count, seed, format, link) and the generators (their
// fingerprint is in every case id): the capture's timestamps are the packet index in
// microseconds, and chunks are written in case order whatever --jobs is.
import { createWriteStream } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { finished } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { CaptureWriter, LINKTYPE, RecordEncoder, type RecordFormat } from '../capture/index.ts';
import { expectedPathOf } from './expected-file.ts';
import { generateChunk, type ChunkBuffers, type GeneratedChunk } from './generate-chunk.ts';
import type { ChunkOrder } from './generate-worker.ts';
import { bundledScript, type WorkerStart } from './worker-script.ts';

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  /** The capture's path; the expected file goes beside it (expectedPathOf). */
  readonly out: string;
  readonly format?: 'pcap' | 'pcapng';
  readonly link?: 'raw' | 'ethernet';
  /**
   * Threads making chunks: this one and `jobs - 1` worker threads (default 1: this thread only;
   * the CLI's default is defaultCorpusJobs).
   */
  readonly jobs?: number;
  /** Cases per chunk (default 2048). */
  readonly chunkSize?: number;
  /** This thread only writes: the workers make every chunk (at least one worker is started). */
  readonly writerOnly?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  readonly count: number;
  readonly capture: string;
  readonly expected: string;
  readonly captureBytes: number;
  readonly outOfScope: number;
  readonly ms: number;
  /** Chunks each thread made: this thread first, then each worker. */
  readonly chunksMade: readonly number[];
  /** How the workers were started, when there were any. */
  readonly workers?: WorkerStart;
}

/**
 * Threads `corpus generate` uses unless told: one per CPU (up to 4) for a corpus of 250,000
 * packets or more, else this thread alone. Below that size a worker's start (loading, and its
 * JIT warming up on the same CPUs) costs about what it gives: on 2 CPUs, spawn to exit
 * (medians of 3), 200,000 packets took 1.21 s in one thread and 1.23 s in two, 300,000 packets
 * 1.66 s and 1.50 s. 1,000,000 packets: see README "Performance" (npm run bench, the rows
 * 'generation').
 */
export function defaultCorpusJobs(count: number, cpus = availableParallelism()): number {
  return count >= 250_000 && cpus >= 2 ? Math.min(4, cpus) : 1;
}

/** The worker threads' module, and what starts a TypeScript module where it cannot be bundled. */
const WORKER_MODULE = new URL('./generate-worker.ts', import.meta.url);
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);

/** How long a run waits for its workers' script before it makes chunks itself (see generateCorpus). */
const SCRIPT_WAIT_MS = 25;

/**
 * Removes `path` when it is a regular file, so that the run writes a new file rather than
 * truncating the old one. ext4 (auto_da_alloc) starts writing back a truncated file's data
 * when it is closed: regenerating a million-packet corpus in place waited about 0.1 s at its
 * end for that, and spent 0.15 s more of system time. A symbolic link, a pipe or a device is
 * written through as before, and so is a file that cannot be removed.
 */
async function unlinkRegularFile(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isFile()) await unlink(path);
  } catch {
    // Not there, or not removable: opening it for writing says what is wrong, if anything.
  }
}

/**
 * Buffers of chunks written, for the next chunks to be made in (by this thread or a worker):
 * a million packets made about 640 MB of buffers otherwise, each new one counted against the
 * collector's budget for memory outside the heap, and the main thread's share of collecting
 * fell from 10.7% to 6.1% of its time with them reused (CPU profiles of one run each).
 */
class SpareBuffers {
  private readonly records: SharedArrayBuffer[] = [];
  private readonly lines: SharedArrayBuffer[] = [];
  constructor(private readonly keep: number) {}

  /** A chunk's bytes, once written; only shared buffers are kept (generate-chunk.ts makes no other). */
  give(kind: 'records' | 'lines', bytes: Uint8Array): void {
    const list = this[kind];
    if (bytes.buffer instanceof SharedArrayBuffer && list.length < this.keep) list.push(bytes.buffer);
  }

  take(): ChunkBuffers {
    const records = this.records.pop(), lines = this.lines.pop();
    return { ...(records ? { records } : {}), ...(lines ? { lines } : {}) };
  }
}

/** A chunk as generate-worker.ts posts it, named by its number. */
interface Made { readonly k: number; readonly chunk: GeneratedChunk }

interface WorkerSource { readonly url: URL; readonly workerData?: unknown; readonly start: WorkerStart }

/** What workers start on: the bundle of `module` (worker-script.ts), else `module` through tsx. */
async function workerSource(module: URL, bundle: (m: URL) => Promise<URL>): Promise<WorkerSource> {
  try {
    return { url: await bundle(module), start: { from: 'bundle' } };
  } catch (e) {
    return { url: TS_WORKER, workerData: { module: module.href }, start: { from: 'modules', why: (e as Error).message } };
  }
}

/**
 * Worker threads making the chunks they are given, started once their script is ready (this
 * thread makes chunks meanwhile). Each is given up to `depth` at once, so it never waits
 * between chunks; a worker counts only once it has loaded (it says so).
 */
class ChunkWorkers {
  private readonly workers: { w: Worker; ready: boolean; busy: number; made: number }[] = [];
  private closing = false;
  failure: Error | undefined;
  start: WorkerStart | undefined;

  constructor(n: number, private readonly depth: number, onReady: () => void, onChunk: (m: Made) => void, onFailure: () => void, source: Promise<WorkerSource | undefined>) {
    void source.then((s) => {
      if (this.closing || s === undefined) return;
      this.start = s.start;
      for (let i = 0; i < n; i++) {
        // A cached bundle has its source map beside it: an error in a worker then names the
        // sources' lines. Source maps are a per-thread option, read as the script loads.
        const maps = s.url.protocol === 'file:' && s.start.from === 'bundle' ? { execArgv: ['--enable-source-maps'] } : {};
        const h = { w: new Worker(s.url, { workerData: s.workerData, ...maps }), ready: false, busy: 0, made: 0 };
        h.w.on('message', (m: Made | { ready: true }) => {
          if ('ready' in m) { h.ready = true; onReady(); return; }
          h.busy--;
          h.made++;
          onChunk(m);
        });
        h.w.on('error', (e) => { this.failure ??= e; onFailure(); });
        // A worker that stops on its own takes its chunks with it: nothing would ever write them.
        h.w.on('exit', (code) => {
          if (this.closing) return;
          this.failure ??= new Error(`corpus generate: worker ${i + 1} stopped (exit code ${code}) with ${h.busy} chunk(s) unmade`);
          onFailure();
        });
        this.workers.push(h);
      }
    });
  }

  /** A worker that can take one more chunk now, if any. */
  free(): ((m: ChunkOrder) => void) | undefined {
    const h = this.workers.find((x) => x.ready && x.busy < this.depth);
    if (!h) return undefined;
    return (m) => { h.busy++; h.w.postMessage(m); };
  }

  get made(): number[] {
    return this.workers.map((h) => h.made);
  }

  /** Stops the workers; any not started yet never will be (a bundle still being made is not waited for). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((h) => h.w.terminate()));
  }
}

/**
 * `workerModule`: the workers' module (tests give one that fails; the default is
 * generate-worker.ts); `bundle`: how it is made one script (tests give one that fails).
 */
export async function generateCorpus(o: GenerateOptions, workerModule: URL = WORKER_MODULE, bundle = bundledScript): Promise<GenerateResult> {
  const started = performance.now();
  const expected = expectedPathOf(o.out);
  if (expected === o.out) throw new Error(`${o.out}: the capture needs a .pcap or .pcapng name (its expected file is written beside it)`);
  const jobs = Math.max(o.writerOnly ? 2 : 1, o.jobs ?? 1);
  const chunkSize = Math.max(1, o.chunkSize ?? 2048);
  const chunks = Math.ceil(o.count / chunkSize);
  const format: RecordFormat = { format: o.format ?? 'pcap', linkType: o.link === 'ethernet' ? LINKTYPE.ETHERNET : LINKTYPE.RAW };
  const encoder = new RecordEncoder(format);
  await Promise.all([unlinkRegularFile(o.out), unlinkRegularFile(expected)]);
  const writer = new CaptureWriter(o.out, format);
  // A chunk's lines are about a megabyte: with room for a few, the file is written while the
  // next chunk is made (with the default 16 KiB, every chunk waited for its write).
  const lines = createWriteStream(expected, { highWaterMark: 8 << 20 });

  // Chunk k holds cases k*chunkSize..; chunks are written in order, whoever made them. This
  // thread makes chunks too: all of them until a worker has loaded, then, while the chunk to
  // write next is still with a worker, the next one nobody has started. Made chunks wait here
  // to be written, at most `ahead` of them.
  const made = new Map<number, GeneratedChunk>();
  const ahead = 4 * jobs;
  const spare = new SpareBuffers(2 * ahead);
  let nextWrite = 0;
  let nextMake = 0;
  let ownChunks = 0;
  let wake: (() => void) | undefined;
  const rouse = () => { const w = wake; wake = undefined; w?.(); };
  const sizeOf = (k: number) => Math.min(chunkSize, o.count - k * chunkSize);
  const source = jobs > 1 ? workerSource(workerModule, bundle) : Promise.resolve(undefined);
  const workers = new ChunkWorkers(jobs - 1, 2, () => { feed(); rouse(); }, (m) => { made.set(m.k, m.chunk); feed(); rouse(); }, rouse, source);
  function feed(): void {
    for (let give = workers.free(); give && nextMake < chunks && made.size < ahead; give = workers.free()) {
      const k = nextMake++;
      give({ k, seed: o.seed, start: k * chunkSize, count: sizeOf(k), format, reuse: spare.take() });
    }
  }

  let outOfScope = 0;
  let done = 0;
  // The workers' script, when it comes from the cache (a few milliseconds), is waited for: then
  // they start while this thread makes its first chunk (at 150 ms, the slowest, code still
  // cold) instead of after it. One being bundled now is not waited for.
  if (jobs > 1) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([source, new Promise((r) => { timer = setTimeout(r, SCRIPT_WAIT_MS); })]);
    clearTimeout(timer);
  }
  try {
    while (nextWrite < chunks) {
      if (workers.failure) throw workers.failure;
      feed();
      const chunk = made.get(nextWrite);
      if (chunk) {
        made.delete(nextWrite++);
        await writer.writeRecords(chunk.records, () => spare.give('records', chunk.records.bytes));
        if (!lines.write(chunk.lines, () => spare.give('lines', chunk.lines))) await new Promise<void>((r) => lines.once('drain', () => r()));
        outOfScope += chunk.outOfScope;
        done += chunk.records.count;
        o.onProgress?.(done, o.count);
      } else if (!o.writerOnly && nextMake < chunks && made.size < ahead) {
        const k = nextMake++;
        made.set(k, generateChunk(o.seed, k * chunkSize, sizeOf(k), encoder, undefined, spare.take()));
        ownChunks++;
        // Let the workers' messages and the writes' callbacks in before the next chunk.
        await new Promise<void>((r) => setImmediate(r));
      } else {
        await new Promise<void>((r) => { wake = r; });
      }
    }
    await writer.close();
    lines.end();
    await finished(lines);
  } finally {
    await workers.close();
    if (!lines.closed) lines.destroy();
  }
  return {
    count: o.count, capture: o.out, expected, captureBytes: writer.bytes, outOfScope, ms: performance.now() - started,
    chunksMade: [ownChunks, ...workers.made], ...(workers.start ? { workers: workers.start } : {}),
  };
}
