// The kernel lab's pure parts, no root needed: address rewriting must not change what the kernel
// decides (L3-2 checksum, L3-6 addresses), and the readers of nft and /proc output must read
// what those tools print.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipv4Checksum, ipv4ChecksumOk, linuxVerdict } from '../oracles/index.ts';
import { AddressPlan, updateChecksum } from '../lab/rewrite.ts';
import { labSamplePacket } from '../lab/sample-packets.ts';
import { numericValue, parseListing } from '../lab/nft-text.ts';
import { deviceCounters, parseConntrackTable } from '../lab/conntrack-table.ts';
import { encodeBatch, frameOf } from '../lab/frame.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('lab address rewriting', () => {
  it('L3-2: a right IPv4 header checksum stays right and a wrong one stays wrong', () => {
    const plan = new AddressPlan();
    fc.assert(fc.property(labSamplePacket(), (p) => {
      if (p.length < 20 || p[0]! >> 4 !== 4) return;
      const hlen = Math.max(20, (p[0]! & 15) * 4);
      if (hlen > p.length) return;
      const sent = plan.prepare(p).sent;
      expect(ipv4ChecksumOk(sent, hlen)).toBe(ipv4ChecksumOk(p, hlen));
    }), { numRuns: 2000, seed: 1 });
  });

  it('the oracle decides the rewritten datagram as the original, keys and protocol included', () => {
    const plan = new AddressPlan();
    fc.assert(fc.property(labSamplePacket(), fc.constantFrom(1 as const, 2 as const), (p, pass) => {
      const a = linuxVerdict(p);
      const b = linuxVerdict(plan.prepare(p, pass).sent);
      expect(b.outcome).toBe(a.outcome);
      expect(b.decidedBy).toBe(a.decidedBy);
      expect(b.tuple && { proto: b.tuple.proto, srckey: b.tuple.srckey, dstkey: b.tuple.dstkey })
        .toEqual(a.tuple && { proto: a.tuple.proto, srckey: a.tuple.srckey, dstkey: a.tuple.dstkey });
    }), { numRuns: 3000, seed: 2 });
  });

  it('gives every rewritten datagram a source of its own, and each pass its own range', () => {
    const plan = new AddressPlan();
    const g = hex('4500002012340000402fe477c0000201c00002023001880b0000432100000001');
    const keys = Array.from({ length: 1000 }, (_, i) => plan.prepare(g, i % 2 ? 2 : 1).key);
    expect(new Set(keys).size).toBe(1000);
    expect(keys[0]).toBe('10.0.0.1');
    expect(keys[1]).toBe('10.128.0.1');
    const v6 = hex('60000000000c2f4020010db800000000000000000000000120010db8000000000000000000000002' + '3001880b0000616100000001');
    // Keys are spelled as /proc/net/nf_conntrack prints addresses (address-key.ts).
    expect(plan.prepare(v6, 1).key).toBe('2001:0db8:0001:0000:0000:0000:0000:0001');
    expect(plan.prepare(v6, 2).key).toBe('2001:0db8:0002:0000:0000:0000:0000:0001');
  });

  it('L3-6: keeps IPv6 loopback and multicast addresses, which the kernel looks at', () => {
    const plan = new AddressPlan();
    const loop = hex('60000000000c2f4000000000000000000000000000000001ff0e0000000000000000000000000001' + '3001880b0000616100000001');
    const r = plan.prepare(loop);
    expect(r.sent).toEqual(loop);
    expect(r.unique).toBe(false);
    expect(r.key).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
  });

  it('leaves datagrams too short to carry addresses as they are, with no key', () => {
    const plan = new AddressPlan();
    for (const p of [new Uint8Array(0), hex('45000014'), hex('6000000000002f40')]) {
      const r = plan.prepare(p);
      expect(r.sent).toEqual(p);
      expect(r.key).toBeUndefined();
    }
  });

  it('RFC 1624 update equals a recomputation on a valid header', () => {
    const h = hex('4500002012340000402fe477c0000201c0000202');
    const moved = Uint8Array.from(h);
    moved.set([10, 0, 0, 1], 12);
    expect(updateChecksum(0xe477, [0xc000, 0x0201], [0x0a00, 0x0001])).toBe(ipv4Checksum(moved, 20));
  });
});

describe('lab frames', () => {
  it('keeps bytes past the IP length in the frame and picks the EtherType by version', () => {
    const p = hex('4500001812340000402fe47fc0000201c00002023001880b00007777');
    const f = frameOf(p);
    expect(f.length).toBe(14 + p.length);
    expect(Buffer.from(f.subarray(12, 14)).toString('hex')).toBe('0800');
    expect(Buffer.from(frameOf(hex('6000')).subarray(12, 14)).toString('hex')).toBe('86dd');
    expect(Buffer.from(frameOf(hex('7000')).subarray(12, 14)).toString('hex')).toBe('0800');
    const b = encodeBatch([p, new Uint8Array(0)]);
    expect(b.readUInt32LE(0)).toBe(2);
    expect(b.readUInt32LE(4)).toBe(b.length - 8);
  });
});

describe('lab readers', () => {
  it('reads nft -n listings of sets, maps and counters', () => {
    const text = [
      'table inet grec {',
      '\tcounter delivered {',
      '\t\tpackets 3 bytes 96',
      '\t}',
      '',
      '\tset pend6 {',
      '\t\ttypeof ip6 saddr',
      '\t\tsize 65536',
      '\t\tflags dynamic',
      '\t\telements = { 2001:db8:1::5, ::1,',
      '\t\t\t     ff0e::1 }',
      '\t}',
      '',
      '\tmap t4d {',
      '\t\ttypeof ip saddr : ct original proto-dst',
      '\t\tsize 65536',
      '\t\tflags dynamic',
      '\t\telements = { 10.128.0.1 : 0x3434 [invalid type], 10.128.0.2 : 0x0 [invalid type] }',
      '\t}',
      '}',
    ].join('\n');
    const l = parseListing(text);
    expect(l.counters.get('delivered')).toBe(3);
    expect([...l.elements.get('pend6')!.keys()]).toEqual([
      '2001:0db8:0001:0000:0000:0000:0000:0005', '0000:0000:0000:0000:0000:0000:0000:0001', 'ff0e:0000:0000:0000:0000:0000:0000:0001',
    ]);
    expect(numericValue(l.elements.get('t4d')!.get('10.128.0.1'))).toBe(0x3434);
    expect(numericValue(l.elements.get('t4d')!.get('10.128.0.2'))).toBe(0);
    expect(numericValue('47')).toBe(47);
  });

  it('CT-3: reads the original tuple of /proc/net/nf_conntrack lines', () => {
    const text = [
      'ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=10.0.0.5 dst=192.0.2.2 srckey=0x0 dstkey=0x4321 [UNREPLIED] src=192.0.2.2 dst=10.0.0.5 srckey=0x4321 dstkey=0x0 mark=0 zone=0 use=2',
      'ipv6     10 unknown  50 599 src=2001:0db8:0001:0000:0000:0000:0000:0008 dst=2001:0db8:0000:0000:0000:0000:0000:0002 [UNREPLIED] src=2001:0db8:0000:0000:0000:0000:0000:0002 dst=2001:0db8:0001:0000:0000:0000:0000:0008 mark=0 zone=0 use=2',
      '',
    ].join('\n');
    const [a, b] = parseConntrackTable(text);
    expect(a).toMatchObject({ src: '10.0.0.5', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0x4321 });
    expect(b).toMatchObject({ src: '2001:0db8:0001:0000:0000:0000:0000:0008', dst: '2001:0db8:0000:0000:0000:0000:0000:0002', proto: 50, srckey: 0, dstkey: 0 });
  });

  it('reads a device\'s receive counters from /proc/net/dev', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
      '   vrx:    1234      17    0    2    0     0          0         0        0       0    0    0    0     0       0          0',
    ].join('\n');
    expect(deviceCounters(text, 'vrx')).toEqual({ packets: 17, dropped: 2 });
    expect(deviceCounters(text, 'eth0')).toBeUndefined();
  });
});
