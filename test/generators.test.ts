// generators/: the case model's encoder (auto fields right, lies written as given, the reference
// sheet's datagrams rebuilt from fields), describeCase, and what the default mix contains.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  describeCase, encodeCase, greCase, ipv4Header, ipv6ExtensionChain, ipv6Header, greV0, greV1, greOtherVersion,
  type GreCase, type GreHeader, type Ipv4Header, type Ipv6ExtHeader, type Ipv6Header,
} from '../generators/index.ts';
import { rec } from '../generators/_internals/arb.ts';
import { layoutCase } from '../generators/_internals/layout.ts';
import { isHonest } from '../generators/_internals/greArbs.ts';
import { onesComplementChecksum } from '../generators/_internals/wire.ts';
import { ipv4ChecksumOk } from '../oracles/linux/ipv4.ts';
import { inOracleScope, linuxVerdict } from '../oracles/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const be16 = (b: Uint8Array, off: number) => (b[off]! << 8) | b[off + 1]!;
const EXT_TYPE = { 'hop-by-hop': 0, routing: 43, fragment: 44, ah: 51, destination: 60 } as const;

// ---------------------------------------------------------------------------------------------
// Hand-built cases.

const A6 = '2001:db8::1';
const B6 = '2001:db8::2';

function ipv4(over: Partial<Ipv4Header> = {}): Ipv4Header {
  return {
    family: 4, version: 4, ihl: 'auto', tos: 0, totalLength: 'auto', id: 0x1234, reservedFlag: false, df: false, mf: false,
    fragmentOffset: 0, ttl: 64, protocol: 'auto', checksum: 'auto', src: '192.0.2.1', dst: '192.0.2.2', options: [], ...over,
  };
}

function ipv6(over: Partial<Ipv6Header> = {}): Ipv6Header {
  return { family: 6, version: 6, trafficClass: 0, flowLabel: 0, payloadLength: 'auto', nextHeader: 'auto', hopLimit: 64, src: A6, dst: B6, ...over };
}

const FLAGS = { c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 };

/** RFC 2637 header with K and S: 3001 880b, payload length, call id, sequence. */
function pptp(callId: number, seq = 1): GreHeader {
  return { flags: { ...FLAGS, k: true, s: true, version: 1 }, protocol: 0x880b, key: { payloadLength: 'auto', callId }, seq };
}

function kase(over: Partial<GreCase>): GreCase {
  return {
    ip: ipv4(), ext: [], gre: pptp(0x4321), payload: { kind: 'raw', bytes: new Uint8Array(0) }, truncate: null,
    trailer: new Uint8Array(0), keymap: [], ...over,
  };
}

const sheetHex = (s: string) => s.replace(/A6/g, '20010db8000000000000000000000001').replace(/B6/g, '20010db8000000000000000000000002').replace(/ /g, '');

describe('encodeCase rebuilds the reference sheet datagrams from fields', () => {
  it('G05 (GRE-5): IPv4, GRE v1 K S, call id 0x4321; total length, checksum and protocol computed', () => {
    expect(hex(encodeCase(kase({})).packet)).toBe('4500002012340000402fe477c0000201c00002023001880b0000432100000001');
  });

  it('L01 (L3-4): three NOPs and an EOL make IHL 6', () => {
    const c = kase({ ip: ipv4({ options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'eol' }] }), gre: pptp(0x1111) });
    expect(hex(encodeCase(c).packet)).toBe('4600002412340000402fe172c0000201c0000202010101003001880b0000111100000001');
  });

  it('G01 (GRE-2): plain v0 with protocol 0x0800 is 4 bytes', () => {
    const c = kase({ gre: { flags: FLAGS, protocol: 0x0800 } });
    expect(hex(encodeCase(c).packet)).toBe('4500001812340000402fe47fc0000201c000020200000800');
  });

  it('V03 (L3-8): an empty Hop-by-Hop header is padded to 8 bytes with PadN (RFC 8200 4.2)', () => {
    const c = kase({ ip: ipv6(), ext: [{ kind: 'hop-by-hop', nextHeader: 'auto', length: 'auto', options: [] }], gre: pptp(0x6262) });
    expect(hex(encodeCase(c).packet)).toBe(sheetHex('6000000000140040 A6 B6 2f000104000000003001880b0000626200000001'));
  });

  it('V06 (L3-8A): AH with a 12-byte ICV is 24 bytes, length 4', () => {
    const ah: Ipv6ExtHeader = { kind: 'ah', nextHeader: 'auto', length: 'auto', reserved: 0, spi: 0x100, seq: 1, icv: new Uint8Array(12) };
    const c = kase({ ip: ipv6(), ext: [ah], gre: pptp(0x6565) });
    expect(hex(encodeCase(c).packet)).toBe(sheetHex('6000000000243340 A6 B6 2f04000000000100000000010000000000000000000000003001880b0000656500000001'));
  });

  it('V13 (L3-7): an atomic Fragment header', () => {
    const frag: Ipv6ExtHeader = { kind: 'fragment', nextHeader: 'auto', reserved: 0, offset: 0, res: 0, more: false, id: 0x113 };
    const c = kase({ ip: ipv6(), ext: [frag], gre: pptp(0x6c6c) });
    expect(hex(encodeCase(c).packet)).toBe(sheetHex('6000000000142c40 A6 B6 2f000000000001133001880b00006c6c00000001'));
  });

  it('V08 (L3-8O): an explicit next header 50 on the last header ends the chain at ESP', () => {
    const dst: Ipv6ExtHeader = { kind: 'destination', nextHeader: 50, length: 'auto', options: [] };
    const c = kase({ ip: ipv6(), ext: [dst] });
    const p = encodeCase(c).packet;
    expect(p[40]).toBe(50);
    expect(linuxVerdict(p).tuple?.proto).toBe(50);
  });

  it('V25 (L3-6T): payload length 0 is written as given, a lie the kernel trims to 40 bytes', () => {
    const c = kase({ ip: ipv6({ payloadLength: 0 }), gre: pptp(0x7676) });
    expect(hex(encodeCase(c).packet)).toBe(sheetHex('6000000000002f40 A6 B6 3001880b0000767600000001'));
  });
});

describe('encodeCase: truncation, trailer, keymap references', () => {
  it('GRE-1/GRE-3: a cut keeps `keep` GRE bytes; lengths "after" agree with it, "before" still count the cut bytes', () => {
    const after = encodeCase(kase({ truncate: { from: 'gre', keep: 3, lengths: 'after' } })).packet;
    expect(after.length).toBe(23);
    expect(be16(after, 2)).toBe(23);
    expect(ipv4ChecksumOk(after, 20)).toBe(true);
    const before = encodeCase(kase({ truncate: { from: 'gre', keep: 6, lengths: 'before' } })).packet;
    expect(before.length).toBe(26);
    expect(be16(before, 2)).toBe(32);
    expect(linuxVerdict(before).decidedBy).toBe('L3-2');
  });

  it('L3-8S: a negative keep cuts into the extension chain', () => {
    const dst: Ipv6ExtHeader = { kind: 'destination', nextHeader: 'auto', length: 'auto', options: [] };
    const p = encodeCase(kase({ ip: ipv6(), ext: [dst], truncate: { from: 'gre', keep: -7, lengths: 'after' } })).packet;
    expect(p.length).toBe(41);
    expect(be16(p, 4)).toBe(1);
    expect(linuxVerdict(p).decidedBy).toBe('L3-8S');
  });

  it('L3-2T: the trailer follows the datagram and is not counted by the total length', () => {
    const p = encodeCase(kase({ trailer: Uint8Array.of(0, 0, 0, 0, 0, 0) })).packet;
    expect(p.length).toBe(38);
    expect(be16(p, 2)).toBe(32);
    expect(linuxVerdict(p).rules).toContain('L3-2T');
  });

  it('GRE-6/KM-3: keymap references resolve to the packet (addresses, call id at GRE bytes 6-7)', () => {
    const { keymap } = encodeCase(kase({
      keymap: [
        { src: 'packet-src', dst: 'packet-dst', dstkey: 'packet-callid', srckey: 0x0a0a },
        { src: 'packet-dst', dst: 'packet-src', dstkey: 7, srckey: 'packet-callid' },
        { src: '198.51.100.1', dst: 'packet-dst', dstkey: 9, srckey: 1 },
      ],
    }));
    expect(keymap).toEqual([
      { src: '192.0.2.1', dst: '192.0.2.2', dstkey: 0x4321, srckey: 0x0a0a },
      { src: '192.0.2.2', dst: '192.0.2.1', dstkey: 7, srckey: 0x4321 },
      { src: '198.51.100.1', dst: '192.0.2.2', dstkey: 9, srckey: 1 },
    ]);
  });

  it('GRE-8: for an IPv6 packet, packet-src resolves to the IPv4 address in its low 32 bits (the helper is IPv4-only)', () => {
    const { keymap } = encodeCase(kase({
      ip: ipv6({ src: '2001:db8::c000:201' }), keymap: [{ src: 'packet-src', dst: 'packet-dst', dstkey: 'packet-callid', srckey: 1 }],
    }));
    expect(keymap[0]).toEqual({ src: '192.0.2.1', dst: '0.0.0.2', dstkey: 0x4321, srckey: 1 });
  });

  it('throws a TypeError for an address of the wrong family', () => {
    expect(() => encodeCase(kase({ ip: ipv4({ src: A6 }) }))).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over the default mix.

const SEED = 20251124;

describe('encodeCase over generated cases', () => {
  it('is pure: encoding twice gives the same bytes and leaves the case as it was', () => {
    fc.assert(fc.property(greCase(), (c) => {
      const before = JSON.stringify(c, (_, v) => (v instanceof Uint8Array ? hex(v) : v));
      const a = encodeCase(c);
      const b = encodeCase(c);
      expect(hex(a.packet)).toBe(hex(b.packet));
      expect(a.keymap).toEqual(b.keymap);
      expect(JSON.stringify(c, (_, v) => (v instanceof Uint8Array ? hex(v) : v))).toBe(before);
    }), { numRuns: 300, seed: SEED });
  });

  it("L3-2, L3-6: 'auto' IP fields hold the real IHL, length, checksum and next header", () => {
    fc.assert(fc.property(greCase(), (c) => {
      const l = layoutCase(c);
      const p = l.packet;
      const counted = c.truncate?.lengths === 'before' ? l.fullLength : l.datagramLength;
      if (l.datagramLength < (c.ip.family === 4 ? 20 : 40)) return; // the cut is inside the fixed header
      if (c.ip.family === 4) {
        if (c.ip.ihl === 'auto') expect((p[0]! & 0xf) * 4).toBe(l.ipHeaderLength);
        if (c.ip.totalLength === 'auto') expect(be16(p, 2)).toBe(counted);
        if (c.ip.protocol === 'auto') expect(p[9]).toBe(c.ext[0] ? EXT_TYPE[c.ext[0].kind] : 47);
        if (c.ip.checksum === 'auto' && c.ip.ihl === 'auto' && l.datagramLength >= l.ipHeaderLength) expect(ipv4ChecksumOk(p, l.ipHeaderLength)).toBe(true);
      } else {
        if (c.ip.payloadLength === 'auto') expect(be16(p, 4)).toBe(counted - 40);
        if (c.ip.nextHeader === 'auto') expect(p[6]).toBe(c.ext[0] ? EXT_TYPE[c.ext[0].kind] : 47);
      }
    }), { numRuns: 2000, seed: SEED });
  });

  it("L3-8, L3-8A: 'auto' extension lengths span the header exactly and 'auto' next headers name the next one", () => {
    fc.assert(fc.property(greCase(), (c) => {
      const l = layoutCase(c);
      if (l.datagramLength < l.fullLength) return; // the cut hides some headers
      c.ext.forEach((h, i) => {
        const off = l.extOffsets[i]!;
        const end = l.extOffsets[i + 1] ?? l.greOffset;
        const next = c.ext[i + 1];
        if (h.nextHeader === 'auto') expect(l.packet[off]).toBe(next ? EXT_TYPE[next.kind] : 47);
        if (h.kind === 'fragment') expect(end - off).toBe(8);
        else if (h.length === 'auto') expect(end - off).toBe(h.kind === 'ah' ? (l.packet[off + 1]! + 2) * 4 : (l.packet[off + 1]! + 1) * 8);
      });
    }), { numRuns: 2000, seed: SEED });
  });

  it("GRE-7: an 'auto' GRE checksum verifies over header and payload (RFC 1701 2.2); an 'auto' v1 payload length is the payload's size", () => {
    fc.assert(fc.property(greCase(), (c) => {
      const l = layoutCase(c);
      if (l.datagramLength < l.fullLength) return;
      const g = c.gre;
      if (g.checksum?.value === 'auto') expect(onesComplementChecksum(l.packet, l.greOffset, l.datagramLength)).toBe(0);
      if (typeof g.key === 'object' && g.key.payloadLength === 'auto') {
        const at = l.greOffset + 4 + (g.checksum ? 4 : 0);
        expect(be16(l.packet, at)).toBe(c.payload.bytes.length);
      }
    }), { numRuns: 2000, seed: SEED });
  });

  it('lies are written as given: explicit IHL, lengths, checksums, next headers land in their bytes', () => {
    fc.assert(fc.property(greCase(), (c) => {
      const l = layoutCase(c);
      const p = l.packet;
      const at16 = (off: number, v: number) => { if (off + 2 <= l.datagramLength) expect(be16(p, off)).toBe(v & 0xffff); };
      if (c.ip.family === 4) {
        if (c.ip.ihl !== 'auto') expect(p[0]! & 0xf).toBe(c.ip.ihl & 0xf);
        if (c.ip.totalLength !== 'auto') at16(2, c.ip.totalLength);
        if (c.ip.checksum !== 'auto') at16(10, c.ip.checksum);
        if (c.ip.protocol !== 'auto' && l.datagramLength > 9) expect(p[9]).toBe(c.ip.protocol);
      } else {
        if (c.ip.payloadLength !== 'auto') at16(4, c.ip.payloadLength);
        if (c.ip.nextHeader !== 'auto' && l.datagramLength > 6) expect(p[6]).toBe(c.ip.nextHeader);
      }
      c.ext.forEach((h, i) => {
        const off = l.extOffsets[i]!;
        if (h.nextHeader !== 'auto' && off < l.datagramLength) expect(p[off]).toBe(h.nextHeader);
        if (h.kind !== 'fragment' && h.length !== 'auto' && off + 1 < l.datagramLength) expect(p[off + 1]).toBe(h.length & 0xff);
      });
      if (c.gre.checksum && c.gre.checksum.value !== 'auto') at16(l.greOffset + 4, c.gre.checksum.value);
    }), { numRuns: 2000, seed: SEED });
  });
});

describe('describeCase', () => {
  it('summarises each layer on one line, lies shown against the real value', () => {
    const rr = { kind: 'tlv', type: 7, length: 'auto', data: Uint8Array.of(4, 0, 0, 0, 0) } as const;
    const gre: GreHeader = { flags: { ...FLAGS, k: true, s: true, a: true, version: 1 }, protocol: 0x880b, key: { payloadLength: 'auto', callId: 0x1234 }, seq: 1, ack: 2 };
    const c = kase({ ip: ipv4({ options: [rr] }), gre, payload: { kind: 'raw', bytes: new Uint8Array(12) }, trailer: new Uint8Array(6) });
    expect(describeCase(c)).toBe('IPv4 +8B options (RR) | GRE v1 K S A proto 0x880b call 0x1234 seq 1 ack 2 | 12B payload | 6B trailer');
    const lie = kase({ ip: ipv4({ totalLength: 20, checksum: 0xbeef }), truncate: { from: 'gre', keep: 3, lengths: 'after' } });
    expect(describeCase(lie)).toBe('IPv4 total length 20 (is 23) bad checksum 0xbeef | GRE v1 K S proto 0x880b call 0x4321 seq 1 | cut to 3 GRE bytes | no payload');
  });

  it('names the chain and the keymap entries', () => {
    const c = kase({
      ip: ipv6(),
      ext: [{ kind: 'hop-by-hop', nextHeader: 'auto', length: 'auto', options: [{ kind: 'tlv', type: 5, length: 'auto', data: Uint8Array.of(0, 0) }] },
        { kind: 'fragment', nextHeader: 50, reserved: 0, offset: 0, res: 0, more: true, id: 1 }],
      keymap: [{ src: 'packet-src', dst: 'packet-dst', dstkey: 'packet-callid', srckey: 1 }, { src: 'packet-dst', dst: 'packet-src', dstkey: 5, srckey: 'packet-callid' }],
    });
    expect(describeCase(c)).toBe('IPv6 > HBH(RA) > FRAG(offset 0 M) next 50 | GRE v1 K S proto 0x880b call 0x4321 seq 1 | no payload | keymap: match, reply');
  });
});

// ---------------------------------------------------------------------------------------------
// What the mix contains.

describe('the default mix', () => {
  const cases = fc.sample(greCase(), { numRuns: 3000, seed: SEED });
  const share = (pred: (c: GreCase) => boolean) => cases.filter(pred).length / cases.length;

  it('has each layer in each of its forms', () => {
    expect(share((c) => c.ip.family === 4)).toBeGreaterThan(0.4);
    expect(share((c) => c.ip.family === 6)).toBeGreaterThan(0.25);
    expect(share((c) => c.gre.flags.version === 0)).toBeGreaterThan(0.2);
    expect(share((c) => c.gre.flags.version === 1)).toBeGreaterThan(0.3);
    expect(share((c) => c.gre.flags.version > 1)).toBeGreaterThan(0.03);
    expect(share((c) => c.ext.length > 0)).toBeGreaterThan(0.15);
    expect(share((c) => c.ip.family === 4 && c.ip.options.length > 0)).toBeGreaterThan(0.05);
    expect(share((c) => c.keymap.length > 0)).toBeGreaterThan(0.1);
    expect(share((c) => c.keymap.length === 0)).toBeGreaterThan(0.5);
  });

  it('L3-2T, L3-6T: Ethernet padding and other trailers appear, as do cuts of each kind', () => {
    expect(share((c) => c.trailer.length > 0)).toBeGreaterThan(0.05);
    expect(share((c) => c.trailer.length > 0 && c.trailer.every((b) => b === 0))).toBeGreaterThan(0.02);
    expect(share((c) => c.truncate !== null && c.truncate.keep >= 0 && c.truncate.keep < 8)).toBeGreaterThan(0.04);
    expect(share((c) => c.truncate !== null && c.truncate.keep < 0)).toBeGreaterThan(0.01);
    expect(share((c) => c.truncate?.lengths === 'before')).toBeGreaterThan(0.01);
  });

  it('stays in the suite scope: no own-tracker protocol, CIPSO or CALIPSO, IPv4 keymap entries only', () => {
    for (const c of cases) {
      const { packet, keymap } = encodeCase(c);
      const v = linuxVerdict(packet, { keymap });
      expect(inOracleScope(v.l4proto)).toBe(true);
      expect(v.reason).not.toMatch(/CIPSO|CALIPSO|Jumbo/);
      for (const e of keymap) expect(`${e.src} ${e.dst}`).toMatch(/^\d+\.\d+\.\d+\.\d+ \d+\.\d+\.\d+\.\d+$/);
    }
  });

  it('with lies: false, every length, checksum and IHL is computed, GRE fields are what the flags announce, cuts keep lengths consistent', () => {
    const EXT = new Set([0, 43, 44, 51, 60]);
    for (const c of fc.sample(greCase({ lies: false }), { numRuns: 2000, seed: SEED })) {
      if (c.ip.family === 4) expect([c.ip.version, c.ip.ihl, c.ip.totalLength, c.ip.checksum]).toEqual([4, 'auto', 'auto', 'auto']);
      else expect([c.ip.version, c.ip.payloadLength, EXT.has(c.ip.nextHeader as number)]).toEqual([6, 'auto', false]);
      for (const h of c.ext) {
        if ('length' in h) expect(h.length).toBe('auto');
        expect(EXT.has(h.nextHeader as number)).toBe(false);
      }
      expect(isHonest(c.gre)).toBe(true);
      if (c.gre.checksum) expect(c.gre.checksum.value).toBe('auto');
      if (typeof c.gre.key === 'object') expect(c.gre.key.payloadLength).toBe('auto');
      if (c.truncate) expect(c.truncate.lengths).toBe('after');
    }
  });

  it('the named arbitraries build what they say', () => {
    const s = <T>(a: fc.Arbitrary<T>) => fc.sample(a, { numRuns: 300, seed: SEED });
    expect(s(ipv4Header()).every((h) => h.family === 4)).toBe(true);
    expect(s(ipv6Header()).every((h) => h.family === 6)).toBe(true);
    expect(s(greV0()).every((g) => g.flags.version === 0)).toBe(true);
    expect(s(greV1()).every((g) => g.flags.version === 1)).toBe(true);
    expect(s(greOtherVersion()).every((g) => g.flags.version >= 2 && g.flags.version <= 7)).toBe(true);
    const chains = s(ipv6ExtensionChain());
    expect(chains.filter((ch) => ch.length <= 3).length / chains.length).toBeGreaterThan(0.98);
    expect(new Set(chains.flat().map((h) => h.kind))).toEqual(new Set(['hop-by-hop', 'routing', 'fragment', 'ah', 'destination']));
  });
});

describe('records (rec)', () => {
  const r = rec<{ a: number; b: number }>({ a: fc.integer({ min: 0, max: 9 }), b: fc.integer({ min: 0, max: 9 }) });

  it('draw what fc.record draws, as plain objects with the model\'s keys in order', () => {
    const same = fc.record({ a: fc.integer({ min: 0, max: 9 }), b: fc.integer({ min: 0, max: 9 }) }, { noNullPrototype: true });
    const mine = fc.sample(r, { seed: 7, numRuns: 50 }), theirs = fc.sample(same, { seed: 7, numRuns: 50 });
    expect(mine).toEqual(theirs);
    expect(Object.keys(mine[0]!)).toEqual(['a', 'b']);
    expect(Object.getPrototypeOf(mine[0])).toBe(Object.prototype);
  });

  it('shrink a value built elsewhere, whatever its keys\' order, and refuse other shapes', () => {
    expect(r.canShrinkWithoutContext({ b: 3, a: 5 })).toBe(true);
    expect([...r.shrink({ b: 3, a: 5 }, undefined)].map((v) => v.value)).toContainEqual({ a: 0, b: 3 });
    for (const other of [{ a: 1 }, { a: 1, b: 2, c: 3 }, Object.assign(Object.create(null), { a: 1, b: 2 }), [1, 2]]) {
      expect(r.canShrinkWithoutContext(other), JSON.stringify(other)).toBe(false);
    }
  });
});
