// The check on a large generated corpus (default 1,000,000 packets):
//   tsx scripts/corpus-million.ts [--count N] [--seed S] [--jobs J] [--dir DIR] [--keep]
// 1. `corpus generate` speed (cases generated, answered, described and written per second);
// 2. the writer alone: the same datagrams written again, timed, and byte-compared with the first;
// 3. tcpdump -r reads back N packets, each with the bytes and timestamp the expected file pins;
// 4. readCapture reads back N records, each the datagram its expected line pins.
// Prints one line per step and exits 1 on any mismatch. Files go to a temporary folder.
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CaptureWriter, readCapture } from '../capture/index.ts';
import { generateCorpus } from '../corpus-tools/generate.ts';

const { values: o } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean' } } });
const count = Number(o.count ?? 1_000_000);
const seed = Number(o.seed ?? 1);
const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'gre-million-'));
const out = join(dir, `corpus-${count}.pcap`);
let failed = false;
const fail = (msg: string) => { failed = true; console.log(`MISMATCH: ${msg}`); };

/** The expected file's packets (hex), one at a time, without holding the file in memory. */
async function* pinnedPackets(file: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const m = /"packet":"([0-9a-f]*)"/.exec(line);
    yield m ? m[1]! : '';
  }
}

// 1. Generation.
const g = await generateCorpus({ count, seed, out, jobs: Number(o.jobs ?? 1) });
console.log(`generate: ${count} cases (seed ${seed}) in ${(g.ms / 1000).toFixed(1)} s = ${Math.round(count / (g.ms / 1000))} packets/s end to end; capture ${statSync(out).size} bytes, expected file ${statSync(g.expected).size} bytes`);

// 2. The writer alone, on the same datagrams (read back first, so only writing is timed).
const datagrams: Uint8Array[] = [];
for await (const r of readCapture(out)) datagrams.push(r.data);
const again = join(dir, 'rewritten.pcap');
const w = new CaptureWriter(again);
const t0 = performance.now();
for (const d of datagrams) await w.write(d);
await w.close();
const wms = performance.now() - t0;
datagrams.length = 0;
console.log(`writer: ${count} packets in ${(wms / 1000).toFixed(2)} s = ${Math.round(count / (wms / 1000))} packets/s written to pcap; rewritten file ${Buffer.compare(readFileSync(out), readFileSync(again)) === 0 ? 'byte-identical' : 'DIFFERENT'}`);
if (Buffer.compare(readFileSync(out), readFileSync(again)) !== 0) fail('rewritten capture differs');
rmSync(again);

// 3. tcpdump.
{
  const pinned = pinnedPackets(g.expected);
  const td = spawn('tcpdump', ['-r', out, '-tt', '-nn', '-x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  td.stderr!.on('data', (c) => { stderr += c; });
  const closed = new Promise<number>((r) => td.on('close', (code) => r(code ?? -1)));
  let k = -1, bytes = '', badBytes = 0, badTime = 0;
  const check = async () => {
    if (k < 0) return;
    const p = (await pinned.next()).value;
    if (bytes !== p) { if (badBytes++ < 3) fail(`tcpdump packet ${k}: ${bytes.slice(0, 40)} vs pinned ${String(p).slice(0, 40)}`); }
  };
  const started = performance.now();
  for await (const line of createInterface({ input: td.stdout! })) {
    const hexLine = /^\s+0x([0-9a-f]+):\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (hexLine) { if (Number.parseInt(hexLine[1]!, 16) === 0) bytes = ''; bytes += hexLine[2]!.replace(/\s+/g, ''); continue; }
    const head = /^(\d+)\.(\d{6}) /.exec(line);
    if (!head && !line.startsWith('[Invalid header: caplen==0')) continue;
    await check();
    k++;
    bytes = '';
    if (head && Number(head[1]) * 1e6 + Number(head[2]) !== k && badTime++ < 3) fail(`tcpdump packet ${k}: timestamp ${head[1]}.${head[2]}`);
  }
  await check();
  const code = await closed;
  if (code !== 0) fail(`tcpdump exited ${code}: ${stderr.trim()}`);
  if (k + 1 !== count) fail(`tcpdump read ${k + 1} packets`);
  console.log(`tcpdump: read ${k + 1} packets (expected ${count}); ${badBytes} with other bytes, ${badTime} with other timestamps than pinned (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

// 4. Our reader.
{
  const pinned = pinnedPackets(g.expected);
  let n = 0, bad = 0;
  for await (const r of readCapture(out)) {
    const p = (await pinned.next()).value;
    if (Buffer.from(r.data).toString('hex') !== p && bad++ < 3) fail(`readCapture record ${n}`);
    if (r.timestamp.seconds * 1e6 + r.timestamp.nanoseconds / 1000 !== n && bad++ < 3) fail(`readCapture record ${n}: timestamp`);
    n++;
  }
  if (n !== count) fail(`readCapture read ${n} records`);
  console.log(`readCapture: read ${n} records (expected ${count}); ${bad} differ from the expected file`);
}

if (!o.keep && o.dir === undefined) rmSync(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
console.log(failed ? 'FAIL' : 'OK: every packet is the same to tcpdump, to readCapture and in the expected file');
process.exitCode = failed ? 1 : 0;
