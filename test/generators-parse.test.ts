// parseCase (the unmapper) and shrinking: outside bytes become cases that encode back byte for
// byte, describe like generated ones, and shrink with greCase() even without a shrink context;
// failing properties shrink to small readable packets.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describeCase, encodeCase, greCase, parseCase, type GreCase } from '../generators/index.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { VECTORS, vectorBytes } from '../spec/vectors.ts';
import type { KeymapEntry } from '../spec/contract.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

function roundTrips(packet: Uint8Array, keymap: KeymapEntry[] = []): void {
  const back = encodeCase(parseCase(packet, keymap));
  expect(hex(back.packet)).toBe(hex(packet));
  expect(back.keymap).toEqual(keymap);
}

describe('parseCase round-trips', () => {
  it('every generated datagram and keymap, byte for byte', () => {
    fc.assert(fc.property(greCase(), (c) => {
      const { packet, keymap } = encodeCase(c);
      roundTrips(packet, keymap);
    }), { numRuns: 2000, seed: 7 });
  });

  it('any bytes whose first nibble is 4 or 6 (structure where it reads, raw fields where not)', () => {
    const anyDatagram = fc.tuple(fc.constantFrom(4, 6), fc.integer({ min: 0, max: 15 }), fc.uint8Array({ maxLength: 120 }))
      .map(([v, low, rest]) => Uint8Array.from([(v << 4) | low, ...rest]));
    fc.assert(fc.property(anyDatagram, (p) => roundTrips(p)), { numRuns: 3000, seed: 7 });
  });

  it('generated datagrams with bytes changed, cut or added (headers that no longer agree with their bytes)', () => {
    const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cut: fc.nat({ max: 80 }), extra: fc.uint8Array({ maxLength: 8 }) });
    fc.assert(fc.property(greCase(), fc.array(edit, { maxLength: 3 }), (c, edits) => {
      let p = encodeCase(c).packet;
      for (const e of edits) {
        p = Uint8Array.from([...p.subarray(0, Math.max(1, p.length - e.cut)), ...e.extra]);
        p[e.at % p.length] = e.value;
      }
      if (p[0]! >> 4 !== 4 && p[0]! >> 4 !== 6) p[0] = 0x40 | (p[0]! & 0xf);
      roundTrips(p);
    }), { numRuns: 2000, seed: 7 });
  });

  it('the empty datagram and datagrams shorter than their fixed header', () => {
    for (const h of ['', '45', '4500001c', '60000000', '6000000000082f40']) roundTrips(bytesOf(h));
  });

  it('every catalogue vector, keymap included', () => {
    for (const v of VECTORS) roundTrips(vectorBytes(v), (v.keymap ?? []) as KeymapEntry[]);
  });
});

describe('parseCase reads structure', () => {
  it('G05 (GRE-5): computed fields become auto, the v1 key a call id', () => {
    const c = parseCase(bytesOf('4500002012340000402fe477c0000201c00002023001880b0000432100000001'));
    expect(c.ip).toMatchObject({ family: 4, ihl: 'auto', totalLength: 'auto', checksum: 'auto', protocol: 'auto', id: 0x1234 });
    expect(c.gre.key).toEqual({ payloadLength: 'auto', callId: 0x4321 });
    expect(describeCase(c)).toBe('IPv4 | GRE v1 K S proto 0x880b call 0x4321 seq 1 | no payload');
  });

  it('L3-2T: bytes past the total length become the trailer; a wrong checksum stays explicit', () => {
    const c = parseCase(bytesOf('4500001c12340000402fe47bc0000201c0000202 2000080000000b0b 000000000000'));
    expect(c.trailer.length).toBe(6);
    expect(c.ip).toMatchObject({ family: 4, checksum: 'auto' });
    const bad = parseCase(bytesOf('4500002012340000402fb122c0000201c00002023001880b0000555500000001'));
    expect(bad.ip).toMatchObject({ family: 4, checksum: 0xb122 });
  });

  it('L3-8: an IPv6 chain, a cut GRE header (GRE-1) and keymap entries as references to the packet (KM-2)', () => {
    const c = parseCase(
      bytesOf('6000000000160040 20010db8000000000000000000000001 20010db8000000000000000000000002 2f000104000000003001880b00006262000000010000'),
      [{ src: '0.0.0.1', dst: '0.0.0.2', dstkey: 0x6262, srckey: 5 }],
    );
    expect(c.ext.map((h) => h.kind)).toEqual(['hop-by-hop']);
    expect(c.payload.bytes.length).toBe(2);
    expect(c.keymap).toEqual([{ src: 'packet-src', dst: 'packet-dst', dstkey: 'packet-callid', srckey: 5 }]);
    const cut = parseCase(bytesOf('4500001612340000402fe481c0000201c00002023001'));
    expect(cut.truncate).toEqual({ from: 'gre', keep: 2, lengths: 'after' });
  });

  it('every catalogue vector parses into a case greCase() can shrink without its context', () => {
    const arb = greCase();
    const refused = VECTORS.filter((v) => !arb.canShrinkWithoutContext(parseCase(vectorBytes(v), (v.keymap ?? []) as KeymapEntry[])));
    expect(refused.map((v) => v.id)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

/** Fails for any tracked GRE datagram whose dstkey (the v1 call id, GRE-5) is 0x1234 or more. */
const noHighCallId = (c: GreCase) => {
  const { packet, keymap } = encodeCase(c);
  const t = linuxVerdict(packet, { keymap }).tuple;
  return !(t !== null && t.proto === 47 && t.dstkey >= 0x1234);
};

/** IPv4 20 bytes, no options, then GRE v1 with K only, call id 0x1234, no payload: 28 bytes. */
const MINIMAL = '4500001c00000000402ff6b0c0000201c00002012001880b00001234';

describe('shrinking', () => {
  it.each([1, 2, 3])('GRE-5: "no call id >= 0x1234" shrinks to a bare IPv4 + 8-byte GRE v1 header (seed %i)', (seed) => {
    const r = fc.check(fc.property(greCase(), noHighCallId), { seed, numRuns: 1000 });
    expect(r.failed).toBe(true);
    const c = r.counterexample![0]!;
    expect(hex(encodeCase(c).packet)).toBe(MINIMAL);
    expect(describeCase(c)).toBe('IPv4 | GRE v1 K proto 0x880b call 0x1234 | no payload');
  });

  it('GRE-5: a parsed capture given as an example shrinks the same way, without a shrink context', () => {
    // L02's 39 NOPs and EOL, v1 with S and A, an ack, bytes past GRE and 8 bytes past the total length.
    const big = bytesOf('4f00004c12340000402fc638c0000201c0000202' + '01'.repeat(39) + '00' + '3081880b0004123400000001000000020a0b0c0d' + '00'.repeat(8));
    const example = parseCase(big);
    expect(noHighCallId(example)).toBe(false);
    const r = fc.check(fc.property(greCase(), noHighCallId), { seed: 5, numRuns: 1, examples: [[example]] });
    expect(r.failed).toBe(true);
    expect(r.numShrinks).toBeGreaterThan(0);
    expect(hex(encodeCase(r.counterexample![0]!).packet)).toBe(MINIMAL);
  });
});

// ---------------------------------------------------------------------------------------------

/** The rule that decides the kernel's answer for a case. */
const decidedBy = (c: GreCase) => {
  const { packet, keymap } = encodeCase(c);
  return linuxVerdict(packet, { keymap }).decidedBy;
};

describe('shrinking lowers the packet size first', () => {
  it.each([
    ['L3-3', 20, 'an IPv4 fragment, header only'],
    ['GRE-1', 20, 'an IPv4 header and no GRE byte'],
    ['L3-8O', 40, 'an IPv6 header whose next header is another protocol (ESP, say)'],
    ['L3-8N', 40, 'an IPv6 header whose next header is 59'],
    ['L3-8E', 42, 'IPv6 and the first 2 bytes of an extension header that runs past the end'],
    ['L3-7', 48, 'IPv6 and a Fragment header with no data'],
  ] as const)('a case %s decides shrinks to %i bytes: %s', (rule, size, _what) => {
    const r = fc.check(fc.property(greCase(), (c) => decidedBy(c) !== rule), { seed: 3, numRuns: 20_000 });
    expect(r.failed).toBe(true);
    expect(encodeCase(r.counterexample![0]!).packet.length).toBe(size);
  });

  it('no shrink makes the packet longer, and every shrink stays in the arbitrary (constraints included)', () => {
    const arbs = [greCase(), greCase({ truncationWeight: 0 }), greCase({ lies: false }), greCase({ ipv4Weight: 0 }), greCase({ trailer: false, keymap: false })];
    arbs.forEach((arb, k) => {
      const mrng = new fc.Random(xoroshiro128plus(k + 1));
      for (let n = 0; n < 60; n++) {
        const v = arb.generate(mrng, 2);
        const size = encodeCase(v.value).packet.length;
        let seen = 0;
        for (const s of arb.shrink(v.value, v.context)) {
          expect(encodeCase(s.value).packet.length).toBeLessThanOrEqual(size);
          expect(arb.canShrinkWithoutContext(s.value)).toBe(true);
          if (++seen === 30) break;
        }
      }
    });
  });
});
