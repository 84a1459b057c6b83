// `corpus generate`: N generated cases written as a capture (pcap or pcapng, raw IP or Ethernet)
// plus FILE.expected.ndjson, one line per packet. Case i of the corpus is case seed:i of the
// suite. The output depends only on (count, seed, format, link) and the generators (their
// fingerprint is in every case id): the capture's timestamps are the packet index in
// microseconds, and chunks are written in case order whatever --jobs is.
import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { finished } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { CaptureWriter, LINKTYPE, RecordEncoder, type RecordFormat } from '../capture/index.ts';
import { expectedPathOf } from './expected-file.ts';
import { generateChunk, type GeneratedChunk } from './generate-chunk.ts';

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  /** The capture's path; the expected file goes beside it (expectedPathOf). */
  readonly out: string;
  readonly format?: 'pcap' | 'pcapng';
  readonly link?: 'raw' | 'ethernet';
  /** Worker threads generating chunks in parallel (default 1: this thread; the CLI's default is defaultCorpusJobs). */
  readonly jobs?: number;
  /** Cases per chunk (default 2048). */
  readonly chunkSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  readonly count: number;
  readonly capture: string;
  readonly expected: string;
  readonly captureBytes: number;
  readonly outOfScope: number;
  readonly ms: number;
}

/**
 * Worker threads `corpus generate` uses unless told: one per CPU (up to 4) for a corpus of
 * 500,000 packets or more, else none. This thread only writes, so unlike the suite (whose own
 * thread runs the oracle and the implementation) every CPU can draw; below that size starting the
 * workers (about half a second each to load) costs more than they give. 2 CPUs, 1,000,000
 * packets: about 110k/s in this thread, 130k/s with 2 workers (npm run bench, medians).
 */
export function defaultCorpusJobs(count: number, cpus = availableParallelism()): number {
  return count >= 500_000 && cpus >= 2 ? Math.min(4, cpus) : 1;
}

type ChunkSource = { next(start: number, count: number): Promise<GeneratedChunk>; close(): Promise<void> };

function inThread(seed: number, format: RecordFormat): ChunkSource {
  const encoder = new RecordEncoder(format);
  return { next: async (start, count) => generateChunk(seed, start, count, encoder), close: async () => undefined };
}

/** Chunks from a pool of workers, asked ahead so they stay busy, returned in the order asked. */
async function inWorkers(seed: number, format: RecordFormat, jobs: number): Promise<ChunkSource> {
  const workers = await Promise.all(Array.from({ length: jobs }, () => new Promise<Worker>((resolve, reject) => {
    const w = new Worker(new URL('./generate-worker.mjs', import.meta.url));
    w.once('error', reject);
    w.once('message', () => resolve(w));
  })));
  let nextId = 0;
  const waiting = new Map<number, { resolve: (c: GeneratedChunk) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (m: { id: number; chunk: GeneratedChunk }) => { waiting.get(m.id)?.resolve(m.chunk); waiting.delete(m.id); });
    w.on('error', (e) => { for (const p of waiting.values()) p.reject(e); waiting.clear(); });
  }
  return {
    next(start, count) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[id % jobs]!.postMessage({ id, seed, start, count, format });
      });
    },
    async close() { await Promise.all(workers.map((w) => w.terminate())); },
  };
}

export async function generateCorpus(o: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const expected = expectedPathOf(o.out);
  if (expected === o.out) throw new Error(`${o.out}: the capture needs a .pcap or .pcapng name (its expected file is written beside it)`);
  const jobs = Math.max(1, o.jobs ?? 1);
  const chunkSize = Math.max(1, o.chunkSize ?? 2048);
  const format: RecordFormat = { format: o.format ?? 'pcap', linkType: o.link === 'ethernet' ? LINKTYPE.ETHERNET : LINKTYPE.RAW };
  const writer = new CaptureWriter(o.out, format);
  // A chunk's lines are about a megabyte: with room for a few, the file is written while the
  // next chunk is made (with the default 16 KiB, every chunk waited for its write).
  const lines = createWriteStream(expected, { highWaterMark: 8 << 20 });
  const source = jobs > 1 ? await inWorkers(o.seed, format, jobs) : inThread(o.seed, format);
  let outOfScope = 0;
  try {
    // Keep up to 2 chunks per worker in flight; consume them in order.
    const ahead = jobs > 1 ? 2 * jobs : 1;
    const pending: Promise<GeneratedChunk>[] = [];
    let asked = 0;
    const ask = () => {
      const n = Math.min(chunkSize, o.count - asked);
      if (n <= 0) return;
      pending.push(source.next(asked, n));
      asked += n;
    };
    for (let i = 0; i < ahead; i++) ask();
    let done = 0;
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      ask();
      await writer.writeRecords(chunk.records);
      if (!lines.write(chunk.lines)) await new Promise<void>((r) => lines.once('drain', () => r()));
      outOfScope += chunk.outOfScope;
      done += chunk.records.count;
      o.onProgress?.(done, o.count);
    }
    await writer.close();
    lines.end();
    await finished(lines);
  } finally {
    await source.close();
    if (!lines.closed) lines.destroy();
  }
  return { count: o.count, capture: o.out, expected, captureBytes: writer.bytes, outOfScope, ms: performance.now() - started };
}
