// `analyze FILE`: GRE flows (v0 keys, v1 call ids), the tuple and entry each gets, collisions of
// distinct tunnels in one entry with the NOTRACK advice and its cost, invalid and unseen flows.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CaptureWriter } from '../capture/index.ts';
import { ipv4Checksum } from '../oracles/index.ts';
import { analyzeCapture, greFields } from '../corpus-tools/analyze.ts';
import { analysisJson, formatAnalysisText } from '../corpus-tools/analyze-text.ts';
import { isDirectory, sharedCapturesDir, REPO_ROOT } from '../corpus-tools/paths.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-analyze-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SHARED = sharedCapturesDir();
const haveShared = isDirectory(SHARED);
const BIN = join(REPO_ROOT, 'bin', 'gre-conformance.mjs');

const addr = (a: string) => a.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join('');
/** IPv4 GRE src > dst with a right checksum; `gre` is the GRE header and payload as hex. */
function ipv4(src: string, dst: string, gre: string, frag = '0000'): Uint8Array {
  const b = Uint8Array.from(Buffer.from(`45000000abcd${frag}402f0000${addr(src)}${addr(dst)}${gre}`, 'hex'));
  b[2] = b.length >> 8; b[3] = b.length & 0xff;
  const c = ipv4Checksum(b, 20);
  b[10] = c >> 8; b[11] = c & 0xff;
  return b;
}
const keyed = (key: number) => `20000800${key.toString(16).padStart(8, '0')}45000014`;

async function capture(name: string, packets: Uint8Array[], snaplen?: number): Promise<string> {
  const path = join(tmp, name);
  const w = new CaptureWriter(path, { linkType: 1, ...(snaplen ? { snaplen } : {}) });
  for (const p of packets) await w.write(p);
  await w.close();
  return path;
}

describe('GRE header fields', () => {
  it('the v0 key follows the checksum field when C is set; v1 has the call id at bytes 6-7', () => {
    expect(greFields(Buffer.from('2000080000000028', 'hex'), 0)).toMatchObject({ version: 0, keyPresent: true, key: 0x28, protocol: 0x0800 });
    expect(greFields(Buffer.from('a000080012340000deadbeef', 'hex'), 0)).toMatchObject({ version: 0, checksum: true, key: 0xdeadbeef });
    expect(greFields(Buffer.from('3001880b00004321', 'hex'), 0)).toMatchObject({ version: 1, callId: 0x4321, key: undefined });
    expect(greFields(Buffer.from('2000', 'hex'), 0)).toMatchObject({ version: 0, keyPresent: true, key: undefined, protocol: undefined });
  });
});

describe('two keyed GRE v0 tunnels between the same hosts', () => {
  it('are two flows with their keys, one conntrack entry, and a collision with the NOTRACK advice and its cost', async () => {
    const path = await capture('two-tunnels.pcap', [
      ipv4('192.0.2.1', '192.0.2.2', keyed(1)),
      ipv4('192.0.2.1', '192.0.2.2', keyed(2)),
      ipv4('192.0.2.2', '192.0.2.1', keyed(1)),
      ipv4('192.0.2.2', '192.0.2.1', keyed(2)),
      ipv4('192.0.2.1', '192.0.2.2', keyed(1)),
    ]);
    const a = await analyzeCapture(path);
    expect(a.flows.map((f) => [f.src, f.dst, f.version, f.key, f.packets])).toEqual([
      ['192.0.2.1', '192.0.2.2', 0, 1, 2], ['192.0.2.1', '192.0.2.2', 0, 2, 1], ['192.0.2.2', '192.0.2.1', 0, 1, 1], ['192.0.2.2', '192.0.2.1', 0, 2, 1],
    ]);
    expect(a.flows.every((f) => f.tuples.length === 1 && f.entries.join() === '1')).toBe(true);
    expect(a.entries).toHaveLength(1);
    expect(a.entries[0]).toMatchObject({ tuple: { src: '192.0.2.1', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0 }, replied: true, packets: 5, flows: [1, 2, 3, 4] });
    expect(a.entries[0]!.conntrackL).toBe('gre      47 179 src=192.0.2.1 dst=192.0.2.2 srckey=0x0 dstkey=0x0 src=192.0.2.2 dst=192.0.2.1 srckey=0x0 dstkey=0x0 [ASSURED] mark=0 use=1');
    expect(a.collisions).toEqual([{ entry: 1, hosts: ['192.0.2.1', '192.0.2.2'], family: 4, flows: [
      { flow: 1, src: '192.0.2.1', dst: '192.0.2.2', key: 1 }, { flow: 2, src: '192.0.2.1', dst: '192.0.2.2', key: 2 },
      { flow: 3, src: '192.0.2.2', dst: '192.0.2.1', key: 1 }, { flow: 4, src: '192.0.2.2', dst: '192.0.2.1', key: 2 },
    ] }]);
    const text = formatAnalysisText(a);
    expect(text).toContain('flow 1: 192.0.2.1 > 192.0.2.2  GRE v0 key 0x00000001');
    expect(text).toContain('flow 2: 192.0.2.1 > 192.0.2.2  GRE v0 key 0x00000002');
    expect(text).toContain('conntrack tuple: src=192.0.2.1 dst=192.0.2.2 srckey=0x0 dstkey=0x0  -> entry 1');
    expect(text).toContain('COLLISIONS: 1 conntrack entry carries more than one tunnel.');
    expect(text).toContain('GRE version 0 tunnels between 192.0.2.1 and 192.0.2.2 with key 0x1, key 0x2 are one conntrack entry');
    expect(text).toContain('iptables -t raw -A PREROUTING -p gre -s 192.0.2.1 -d 192.0.2.2 -j NOTRACK');
    expect(text).toContain('iptables -t raw -A PREROUTING -p gre -s 192.0.2.2 -d 192.0.2.1 -j NOTRACK');
    expect(text).toContain('nft add rule inet raw prerouting ip saddr { 192.0.2.1, 192.0.2.2 } ip daddr { 192.0.2.1, 192.0.2.2 } meta l4proto gre notrack');
    expect(text).toContain('The cost: Untracked GRE gets no NAT');
    const j = JSON.parse(analysisJson(a));
    expect(j.collisions).toHaveLength(1);
    expect(j.advice[0].iptables[0]).toBe('iptables -t raw -A PREROUTING -p gre -s 192.0.2.1 -d 192.0.2.2 -j NOTRACK');
  });

  it('a key and no key between the same hosts collide too; a different key per direction alone does not (it may be ikey/okey)', async () => {
    const mixed = await analyzeCapture(await capture('key-nokey.pcap', [ipv4('192.0.2.1', '192.0.2.2', keyed(7)), ipv4('192.0.2.1', '192.0.2.2', '0000080045000014')]));
    expect(mixed.collisions.map((c) => c.flows.map((f) => f.key))).toEqual([[7, null]]);
    const perDirection = await analyzeCapture(await capture('ikey-okey.pcap', [ipv4('192.0.2.1', '192.0.2.2', keyed(7)), ipv4('192.0.2.2', '192.0.2.1', keyed(8))]));
    expect(perDirection.entries).toHaveLength(1);
    expect(perDirection.collisions).toEqual([]);
    expect(formatAnalysisText(perDirection)).toContain('Note: flows 1, 2 carry an RFC 2890 key (0x00000007, 0x00000008) that conntrack ignores');
  });

  it('IPv6 tunnels get ip6tables and ip6 in the advice', async () => {
    const v6 = (src: number, key: number) => Uint8Array.from(Buffer.from(`60000000000c2f40${'20010db8'.padEnd(30, '0')}0${src}${'20010db8'.padEnd(30, '0')}0${3 - src}${keyed(key)}`, 'hex'));
    const a = await analyzeCapture(await capture('v6.pcap', [v6(1, 1), v6(1, 2)]));
    expect(a.collisions).toHaveLength(1);
    const text = formatAnalysisText(a);
    expect(text).toContain('ip6tables -t raw -A PREROUTING -p gre -s 2001:db8::1 -d 2001:db8::2 -j NOTRACK');
    expect(text).toContain('ip6 saddr { 2001:db8::1, 2001:db8::2 }');
  });
});

describe('flows conntrack does not track', () => {
  it('v1 with a protocol other than PPP is invalid; fragments are never seen; cut datagrams cannot be known', async () => {
    const a = await analyzeCapture(await capture('odd.pcap', [
      ipv4('192.0.2.1', '192.0.2.2', '3001080000004321'),                // v1, IPv4 inside: invalid (GRE-4)
      ipv4('192.0.2.1', '192.0.2.2', '3001880b00004321'),                // v1 PPP: call id 0x4321
      ipv4('192.0.2.3', '192.0.2.4', '00000800', '2000'),                 // first fragment: held (L3-3)
      ipv4('192.0.2.3', '192.0.2.4', '0000000000000000', '0001'),         // non-first fragment: no GRE header
      ipv4('192.0.2.5', '192.0.2.6', '3001880b00001111'),
    ]));
    // One flow per (addresses, version, call id): the invalid datagram and the PPP one share it.
    expect(a.flows.map((f) => [f.version, f.callId, f.protocols, f.outcomes])).toEqual([
      [1, 0x4321, [0x0800, 0x880b], { invalid: 1, tracked: 1 }], [0, undefined, [0x0800], { 'not-seen': 1 }], [undefined, undefined, [], { 'not-seen': 1 }], [1, 0x1111, [0x880b], { tracked: 1 }],
    ]);
    expect([a.invalidFlows, a.unseenFlows]).toEqual([[1], [2, 3]]);
    expect(a.entries.map((e) => [e.tuple.dstkey, e.replied])).toEqual([[0x4321, false], [0x1111, false]]);
    const text = formatAnalysisText(a);
    expect(text).toContain('flow 1: 192.0.2.1 > 192.0.2.2  GRE v1 (PPTP) call id 0x4321');
    expect(text).toContain('Invalid: flow 1: conntrack looks at these datagrams and attaches no entry');
    expect(text).toContain('flow 1: record 0: version 1 with protocol 0x0800, not 0x880b (PPP): invalid (GRE-4)');
    expect(text).toContain('Never seen by conntrack: flows 2, 3');
    expect(text).toContain('flow 3: 192.0.2.3 > 192.0.2.4  GRE header not readable (cut short, or a non-first fragment)');
    const cut = await analyzeCapture(await capture('cut.pcap', [ipv4('192.0.2.5', '192.0.2.6', '3001880b00001111')], 14 + 24));
    expect(cut.unknownFlows).toEqual([1]);
    expect(formatAnalysisText(cut)).toContain("flow 1: record 0: the snapshot length kept 24 of the datagram's 28 bytes and the kernel reads byte 26: the answer cannot be known");
  });
});

describe.skipIf(!haveShared)('../shared/captures/tcpdump/various_gre.pcap', () => {
  it('shows both directions of the keyed v0 tunnel (key 0x28), its tuple and its one entry, and says the key is ignored', async () => {
    const a = await analyzeCapture(join(SHARED, 'tcpdump', 'various_gre.pcap'));
    expect([a.records, a.ipDatagrams, a.greDatagrams]).toEqual([100, 30, 30]);
    expect(a.flows.map((f) => [f.src, f.dst, f.version, f.key, f.packets])).toEqual([['10.172.64.7', '10.172.64.6', 0, 0x28, 15], ['10.172.64.6', '10.172.64.7', 0, 0x28, 15]]);
    expect(a.entries.map((e) => e.conntrackL)).toEqual(['gre      47 179 src=10.172.64.7 dst=10.172.64.6 srckey=0x0 dstkey=0x0 src=10.172.64.6 dst=10.172.64.7 srckey=0x0 dstkey=0x0 [ASSURED] mark=0 use=1']);
    expect(a.collisions).toEqual([]);
    expect(a.keyedV0Flows).toEqual([1, 2]);
  });

  it('the CLI prints it for people (text) and for tools (json)', () => {
    const file = join(SHARED, 'tcpdump', 'various_gre.pcap');
    const text = spawnSync(process.execPath, [BIN, 'analyze', file], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('flow 1: 10.172.64.7 > 10.172.64.6  GRE v0 key 0x00000028');
    expect(text.stdout).toContain('conntrack tuple: src=10.172.64.7 dst=10.172.64.6 srckey=0x0 dstkey=0x0  -> entry 1');
    expect(text.stdout).toContain('Collisions: none');
    expect(text.stdout).toContain('that conntrack ignores (GRE version 0: keys 0/0, rule GRE-2)');
    const json = spawnSync(process.execPath, [BIN, 'analyze', file, '--reporter', 'json'], { encoding: 'utf8' });
    expect(json.status).toBe(0);
    const j = JSON.parse(json.stdout);
    expect(j.flows).toHaveLength(2);
    expect(j.entries[0].tuple).toEqual({ src: '10.172.64.7', dst: '10.172.64.6', proto: 47, srckey: 0, dstkey: 0 });
    expect(j.packets).toHaveLength(30);
    const bad = spawnSync(process.execPath, [BIN, 'analyze', file, '--reporter', 'junit'], { encoding: 'utf8' });
    expect([bad.status, bad.stderr.includes('--reporter is text or json')]).toEqual([3, true]);
  }, 30_000);
});
