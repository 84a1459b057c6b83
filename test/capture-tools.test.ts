// Files written by CaptureWriter, read back by the real tools: tcpdump (`-r f -nn -x`) and tshark
// (`-T json -x`) must see the same number of packets with the same bytes, lengths and
// timestamps. Skipped, with the reason, where a tool is not installed (.ci/run installs them).
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureWriter, readCapture, WRITER_DST_MAC, WRITER_SRC_MAC, type Timestamp, type WriterOptions } from '../capture/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-capture-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function installed(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}
const haveTcpdump = installed('tcpdump');
const haveTshark = installed('tshark');

/** IPv4 or IPv6 GRE datagrams (well formed and not), and some that are only IP by their first nibble. */
const datagram = fc.oneof(
  fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 300 }), fc.integer({ min: 0, max: 0xffff })).map(([payload, id]) => {
    const b = new Uint8Array(20 + payload.length);
    b.set([0x45, 0, b.length >> 8, b.length & 0xff, id >> 8, id & 0xff, 0, 0, 64, 47, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    b.set(payload, 20);
    return b;
  }),
  fc.uint8Array({ minLength: 4, maxLength: 300 }).map((payload) => {
    const b = new Uint8Array(40 + payload.length);
    b.set([0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, 47, 64]);
    b[23] = 1;
    b[39] = 2;
    b.set(payload, 40);
    return b;
  }),
  fc.uint8Array({ minLength: 1, maxLength: 120 }).map((b) => { b[0] = (b[0]! & 1 ? 0x40 : 0x60) | (b[0]! & 0x0f); return b; }),
);
// tcpdump 4.99 -tt prints "[Error converting time]" from 2^31 seconds (2038) on.
const timestamp = fc.record({ seconds: fc.integer({ min: 0, max: 0x7fffffff }), nanoseconds: fc.integer({ min: 0, max: 999_999_999 }) });
const PACKETS = fc.sample(fc.record({ datagram, timestamp }), { seed: 47, numRuns: 300 });

const CONFIGS: (WriterOptions & { name: string })[] = [
  { name: 'pcap, raw IP, microseconds', format: 'pcap', linkType: 101 },
  { name: 'pcap, Ethernet, nanoseconds', format: 'pcap', linkType: 1, nanosecond: true },
  { name: 'pcapng, raw IP, nanoseconds', format: 'pcapng', linkType: 101, nanosecond: true },
  { name: 'pcapng, Ethernet, microseconds', format: 'pcapng', linkType: 1 },
  { name: 'pcap, Ethernet, snapshot length 96', format: 'pcap', linkType: 1, snaplen: 96 },
];

interface Expected { frame: Uint8Array; l2: number; origlen: number; ts: Timestamp }

async function writeConfig(c: WriterOptions & { name: string }, i: number): Promise<{ path: string; expected: Expected[] }> {
  const path = join(tmp, `tools-${i}.${c.format}`);
  const w = new CaptureWriter(path, c);
  const expected: Expected[] = [];
  const l2 = c.linkType === 1 ? 14 : 0;
  for (const p of PACKETS) {
    await w.write(p.datagram, { timestamp: p.timestamp });
    const eth = c.linkType === 1
      ? Uint8Array.from([...WRITER_DST_MAC, ...WRITER_SRC_MAC, ...(p.datagram[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00])])
      : new Uint8Array(0);
    const full = Uint8Array.from([...eth, ...p.datagram]);
    const ts = c.nanosecond ? p.timestamp : { seconds: p.timestamp.seconds, nanoseconds: Math.floor(p.timestamp.nanoseconds / 1000) * 1000 };
    expected.push({ frame: full.subarray(0, c.snaplen ?? full.length), l2, origlen: full.length, ts });
  }
  await w.close();
  return { path, expected };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fraction = (ts: Timestamp, nano: boolean) =>
  `${ts.seconds}.${nano ? String(ts.nanoseconds).padStart(9, '0') : String(ts.nanoseconds / 1000).padStart(6, '0')}`;

/** tcpdump -tt -nn -x: one line per packet starting with the time, then hex lines of the bytes after the link header. */
function tcpdumpPackets(path: string, nano: boolean): { time: string; bytes: string }[] {
  const args = ['-r', path, '-tt', '-nn', '-x', ...(nano ? ['--time-stamp-precision=nano'] : [])];
  const out = execFileSync('tcpdump', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  const pkts: { time: string; bytes: string }[] = [];
  for (const line of out.split('\n')) {
    const hexLine = /^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (hexLine) { pkts[pkts.length - 1]!.bytes += hexLine[1]!.replace(/\s+/g, ''); continue; }
    const head = /^(\d+\.\d+) /.exec(line);
    if (head) pkts.push({ time: head[1]!, bytes: '' });
  }
  return pkts;
}

describe('tcpdump reads written files back identically', () => {
  CONFIGS.forEach((c, i) => {
    it(`${c.name}: same count, bytes after the link header, and timestamps`, async (ctx) => {
      ctx.skip(!haveTcpdump, 'tcpdump is not installed');
      const { path, expected } = await writeConfig(c, i);
      const pkts = tcpdumpPackets(path, !!c.nanosecond);
      expect(pkts.length).toBe(expected.length);
      pkts.forEach((p, k) => {
        const e = expected[k]!;
        expect(p.time, `packet ${k}`).toBe(fraction(e.ts, !!c.nanosecond));
        expect(p.bytes, `packet ${k}`).toBe(hex(e.frame.subarray(e.l2)));
      });
    }, 30_000);
  });

  it('a 1,000,000-packet capture is 1,000,000 packets to tcpdump and to readCapture', async (ctx) => {
    ctx.skip(!haveTcpdump, 'tcpdump is not installed');
    const path = join(tmp, 'million.pcap');
    const w = new CaptureWriter(path);
    const d = PACKETS[0]!.datagram;
    for (let i = 0; i < 1_000_000; i++) await w.write(d);
    await w.close();
    const r = spawnSync('sh', ['-c', `tcpdump -r '${path}' -nn -q 2>/dev/null | wc -l`], { encoding: 'utf8' });
    expect(Number(r.stdout.trim())).toBe(1_000_000);
    let n = 0;
    for await (const _ of readCapture(path)) n++;
    expect(n).toBe(1_000_000);
  }, 60_000);
});

interface TsharkPacket { _source: { layers: { frame_raw: [string, ...unknown[]]; frame: Record<string, string> } } }

describe('tshark reads written files back identically', () => {
  CONFIGS.forEach((c, i) => {
    it(`${c.name}: same count, frame bytes, lengths and timestamps`, async (ctx) => {
      ctx.skip(!haveTshark, 'tshark is not installed');
      const { path, expected } = await writeConfig(c, i);
      const out = execFileSync('tshark', ['-r', path, '-n', '-T', 'json', '-x', '-j', 'frame'], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20,
      });
      const pkts = JSON.parse(out) as TsharkPacket[];
      expect(pkts.length).toBe(expected.length);
      pkts.forEach((p, k) => {
        const e = expected[k]!;
        const f = p._source.layers.frame;
        expect(p._source.layers.frame_raw[0], `packet ${k}`).toBe(hex(e.frame));
        expect([Number(f['frame.cap_len']), Number(f['frame.len'])], `packet ${k}`).toEqual([e.frame.length, e.origlen]);
        expect(f['frame.time_epoch'], `packet ${k}`).toBe(fraction(e.ts, true));
      });
    }, 30_000);
  });
});
