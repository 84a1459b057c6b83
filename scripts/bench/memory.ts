// 6. Memory: peak RSS of a long in-process run (runSuite must keep nothing per case, so RSS at
// 10%, 50% and 100% of the run stays flat), and of reading a capture larger than 1 GB (written
// to the temporary folder, deleted after). Each is measured in a fresh process (memory-child.ts);
// one run each: a peak is not a timing.
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureWriter } from '../../capture/index.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { drawCase } from '../../runner/case-id.ts';
import { progress, projectPath, ROOT, type PartOptions } from './options.ts';
import type { Row } from './table.ts';

const PART = 'memory';

interface ChildResult {
  start: number;
  at: { cases?: number; records?: number; rss: number; heap?: number }[];
  peak: number;
  seconds: number;
  failures?: number;
  bytes?: number;
}

function child(args: string[]): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', projectPath('scripts/bench/memory-child.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function run(o: PartOptions): Promise<Row[]> {
  const rows: Row[] = [];
  progress(`in-process run of ${fmt(o.memoryCases)} cases (RSS at 10%, 50%, 100%)`);
  const s = child(['suite', String(o.memoryCases), String(o.seed)]);
  const [a, b, c] = s.at;
  progress(`  ${s.seconds.toFixed(0)} s (${fmt(Math.round(o.memoryCases / s.seconds))} cases/s); RSS ${s.at.map((x) => `${x.rss.toFixed(0)} MB at ${fmt(x.cases!)}`).join(', ')}; peak ${s.peak.toFixed(0)} MB`);
  const heap = (x: { heap?: number }) => `live heap ${x.heap!.toFixed(1)} MB after a collection`;
  for (const x of [a, b]) if (x) rows.push({ part: PART, name: `memory: RSS after ${fmt(x.cases!)} cases`, unit: 'MB', values: [x.rss], ratio: heap(x) });
  if (c) {
    const growth = a ? `; ${(c.heap! - a.heap! >= 0 ? '+' : '')}${(c.heap! - a.heap!).toFixed(1)} MB since ${fmt(a.cases!)}` : '';
    rows.push({ part: PART, name: `memory: RSS after ${fmt(c.cases!)} cases`, unit: 'MB', values: [c.rss], ratio: heap(c) + growth });
  }
  rows.push({ part: PART, name: `memory: peak RSS of the ${fmt(o.memoryCases)}-case run`, unit: 'MB', values: [s.peak], target: { op: '<=', value: 200 } });

  const big = join(o.tmp, 'large.pcap');
  progress(`writing a ${(o.bigCaptureBytes / 1e9).toFixed(2)} GB capture`);
  const packets = Array.from({ length: 4096 }, (_, i) => defaultSpace.encode(drawCase(defaultSpace.arbitrary, o.seed, i)).packet);
  const w = new CaptureWriter(big);
  for (let n = 0, size = 24; size < o.bigCaptureBytes; n++) {
    const p = packets[n % packets.length]!;
    await w.write(p);
    size += 16 + p.length;
  }
  await w.close();
  try {
    const size = statSync(big).size;
    const r = child(['capture', big]);
    progress(`  read ${(size / 1e9).toFixed(2)} GB in ${r.seconds.toFixed(1)} s; RSS ${r.start.toFixed(0)} MB at start, peak ${r.peak.toFixed(0)} MB`);
    rows.push({
      part: PART, name: `memory: peak RSS reading a ${(size / 1e9).toFixed(2)} GB capture`, unit: 'MB', values: [r.peak],
      target: { op: '<=', value: 200 }, ratio: `${r.start.toFixed(0)} MB before reading; ${(r.peak * 1024 * 1024 / size * 100).toFixed(1)}% of the file`,
    });
  } finally {
    rmSync(big, { force: true });
  }
  return rows;
}
