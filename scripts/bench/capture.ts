// 4. Generation and capture reading. Generation: packets/s of `corpus generate` (its engine,
// corpus-tools generateCorpus: generate, encode, oracle, pcap plus FILE.expected.ndjson), in
// this thread and with one worker per CPU; of the command as a user runs it (a new process:
// start-up, loading and the JIT's warm-up in every thread included); and of CaptureWriter
// alone over packets already made. Reading: MB/s of readCapture over a large pcap written for
// it (served from the page cache after the first read; the figure is the reader's, not the
// disk's).
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureWriter, readCapture } from '../../capture/index.ts';
import { defaultCorpusJobs, generateCorpus } from '../../corpus-tools/generate.ts';
import { STAGES, stageMicros } from './generation-stages.ts';
import { progress, projectPath, since, type PartOptions } from './options.ts';
import { median, type Row } from './table.ts';

const PART = 'capture';

/** Writes `packets` over and over until the file holds at least `bytes`; returns packets written. */
async function writeRepeated(path: string, packets: readonly Uint8Array[], bytes: number): Promise<number> {
  const w = new CaptureWriter(path);
  let n = 0, size = 24;
  while (size < bytes) {
    const p = packets[n % packets.length]!;
    await w.write(p);
    size += 16 + p.length;
    n++;
  }
  await w.close();
  return n;
}

export async function run(o: PartOptions): Promise<Row[]> {
  const n = o.corpusCases;
  // What `corpus generate` uses for this many packets unless told (defaultCorpusJobs), against 1.
  const jobs = Math.max(2, defaultCorpusJobs(n));
  const one: number[] = [], many: number[] = [];
  const out = join(o.tmp, 'corpus.pcap');
  for (let r = 0; r < o.runs; r++) {
    let res = await generateCorpus({ count: n, seed: o.seed + r, out, jobs: 1 });
    one.push(n / (res.ms / 1000));
    res = await generateCorpus({ count: n, seed: o.seed + r, out, jobs });
    many.push(n / (res.ms / 1000));
    progress(`run ${r + 1}: corpus generate ${Math.round(one[r]!)}/s (1 thread), ${Math.round(many[r]!)}/s (--jobs ${jobs})`);
  }

  // The command in a new process, timed from spawn to exit, its bundles made beforehand (the
  // runs above made the workers'; --version makes the command's): the first run after a change
  // of the sources makes them, about 0.3 s more for 1,000,000 packets, once.
  spawnSync(process.execPath, [projectPath('bin/gre-conformance.mjs'), '--version'], { encoding: 'utf8' });
  const cli: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [projectPath('bin/gre-conformance.mjs'), 'corpus', 'generate', '--count', String(n), '--seed', String(o.seed + r), '--out', out], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`corpus generate exited ${res.status}: ${res.stderr}`);
    cli.push(n / since(t0));
    progress(`run ${r + 1}: gre-conformance corpus generate ${Math.round(cli[r]!)}/s (new process)`);
  }

  // Where a packet's time goes, stage by stage, in this thread.
  const stageRuns = STAGES.map((): number[] => []);
  for (let r = 0; r < o.runs; r++) {
    stageMicros(o.seed + r, Math.min(n, 200_000)).forEach((us, i) => stageRuns[i]!.push(us));
    progress(`run ${r + 1}: stages ${stageRuns.map((v) => v[r]!.toFixed(2)).join(' + ')} µs`);
  }

  // The last corpus's packets, for the writer alone and for the large capture.
  const packets: Uint8Array[] = [];
  for await (const rec of readCapture(out)) packets.push(rec.data);
  const writer: number[] = [];
  const wfile = join(o.tmp, 'writer.pcap');
  for (let r = 0; r < o.runs; r++) {
    const t0 = performance.now();
    const count = await writeRepeated(wfile, packets, 100e6);
    writer.push(count / since(t0));
    rmSync(wfile, { force: true });
  }

  const big = join(o.tmp, 'big.pcap');
  progress(`writing a ${(o.captureBytes / 1e6).toFixed(0)} MB capture`);
  await writeRepeated(big, packets, o.captureBytes);
  const size = statSync(big).size;
  const read: number[] = [];
  let records = 0;
  try {
    for (let r = 0; r < o.runs; r++) {
      const t0 = performance.now();
      records = 0;
      let bytes = 0;
      for await (const rec of readCapture(big)) {
        records++;
        bytes += rec.data.length;
      }
      read.push(size / 1e6 / since(t0));
      progress(`run ${r + 1}: read ${records} records, ${(bytes / 1e6).toFixed(0)} MB of packets, ${read[r]!.toFixed(0)} MB/s`);
    }
  } finally {
    rmSync(big, { force: true });
  }
  const cases = n.toLocaleString('en-US');
  return [
    // The target is the command's, whose default is a thread per CPU; one thread is the base of the ratio.
    { part: PART, name: `generation: corpus generate, ${cases} packets, 1 thread`, unit: '/s', values: one, note: 'one thread alone (--jobs 1); the 300,000/s target is for the defaults, rows below' },
    {
      part: PART, name: `generation: corpus generate --jobs ${jobs}${jobs === defaultCorpusJobs(n) ? ' (the default)' : ''}`, unit: '/s', values: many, target: { op: '>=', value: 300_000 },
      ratio: `${median(many.map((v, i) => v / one[i]!)).toFixed(2)}x of 1 thread (worker start-up included)`,
    },
    {
      part: PART, name: `generation: gre-conformance corpus generate --count ${cases}, a new process (defaults)`, unit: '/s', values: cli,
      target: { op: '>=', value: 300_000 }, note: 'from spawn to exit: start-up, loading and every thread\'s JIT warm-up included (bundles already cached)',
    },
    ...STAGES.map((stage, i): Row => ({
      part: PART, name: `generation, a packet's time: ${stage}`, unit: 'us', values: stageRuns[i]!,
      ...(i === 0 ? { note: 'stages timed one by one in one thread, over 200,000 packets of the same corpora' } : {}),
    })),
    { part: PART, name: 'generation: CaptureWriter alone, pcap, packets already made', unit: '/s', values: writer },
    {
      part: PART, name: `capture reading: readCapture, ${(size / 1e6).toFixed(0)} MB pcap (${records.toLocaleString('en-US')} records)`, unit: 'MB/s', values: read,
      target: { op: '>=', value: 100 }, note: 'read from the page cache',
    },
  ];
}
