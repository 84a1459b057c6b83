// ipDatagramOf: finding the IP datagram behind each supported link-layer header, and skipping
// (with the reason) what is not IP or ends inside its link-layer header.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ipDatagramOf, LINKTYPE, type LinkRecord } from '../capture/index.ts';
import { concat, ipv4, ipv6 } from './fixtures/captures/build.ts';

const v4 = ipv4(Uint8Array.of(0, 0, 0x08, 0x00));
const v6 = ipv6(Uint8Array.of(0, 0, 0x86, 0xdd));
const MACS = new Uint8Array(12).fill(0xaa);
const be16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const tag = (tpid: number, vid: number) => concat(be16(tpid), be16(vid));

function rec(linkType: number, data: Uint8Array, origlen = data.length): LinkRecord {
  return { linkType, data, caplen: data.length, origlen };
}

function decoded(r: LinkRecord): { l2: string; ip: number[]; truncated: boolean; wireLength: number } | string {
  const d = ipDatagramOf(r);
  return 'skip' in d ? d.skip : { l2: d.l2, ip: Array.from(d.ip), truncated: d.truncated, wireLength: d.wireLength };
}

const found = (l2: string, ip: Uint8Array, truncated = false, cut = 0) =>
  ({ l2, ip: Array.from(ip), truncated, wireLength: ip.length + cut });

describe('Ethernet (LINKTYPE 1)', () => {
  it('ethertype 0x0800 carries IPv4 and 0x86dd IPv6', () => {
    expect(decoded(rec(1, concat(MACS, be16(0x0800), v4)))).toEqual(found('ethernet', v4));
    expect(decoded(rec(1, concat(MACS, be16(0x86dd), v6)))).toEqual(found('ethernet', v6));
  });

  it('an 802.1Q tag is stepped over and its VLAN ID named', () => {
    expect(decoded(rec(1, concat(MACS, tag(0x8100, 0x2064), be16(0x0800), v4)))).toEqual(found('ethernet/802.1q:100', v4));
  });

  it('QinQ: an 802.1ad S-tag then an 802.1Q C-tag, and the pre-standard 0x9100 outer tag', () => {
    expect(decoded(rec(1, concat(MACS, tag(0x88a8, 10), tag(0x8100, 20), be16(0x86dd), v6))))
      .toEqual(found('ethernet/802.1ad:10/802.1q:20', v6));
    expect(decoded(rec(1, concat(MACS, tag(0x9100, 7), tag(0x8100, 4095), be16(0x0800), v4))))
      .toEqual(found('ethernet/qinq-9100:7/802.1q:4095', v4));
  });

  it('more than 8 stacked tags are skipped', () => {
    const tags = concat(...Array.from({ length: 9 }, () => tag(0x8100, 1)));
    expect(decoded(rec(1, concat(MACS, tags, be16(0x0800), v4)))).toBe('more than 8 VLAN tags');
  });

  it('non-IP ethertypes and 802.3 length fields are skipped with the reason', () => {
    expect(decoded(rec(1, concat(MACS, be16(0x0806), new Uint8Array(28))))).toBe('ethernet: ethertype 0x0806 is not IP');
    expect(decoded(rec(1, concat(MACS, be16(38), new Uint8Array(38))))).toBe('ethernet: 802.3 length field 38 (LLC frame), not IP');
  });

  it('a record that ends inside the Ethernet header or a tag is skipped, never decoded', () => {
    expect(decoded(rec(1, MACS))).toBe('record ends inside the Ethernet header (12 of 14 bytes)');
    expect(decoded(rec(1, concat(MACS, tag(0x8100, 5))))).toBe('record ends inside the 802.1q tag (16 of 18 bytes)');
  });

  it('a record cut by the snapshot length is flagged truncated, with the datagram\'s length on the wire', () => {
    const frame = concat(MACS, be16(0x0800), v4);
    const cut = frame.subarray(0, 30);
    expect(decoded(rec(1, cut, frame.length))).toEqual(found('ethernet', v4.subarray(0, 16), true, frame.length - 30));
  });
});

describe('raw IP', () => {
  it('LINKTYPE_RAW (101) and the DLT_RAW aliases 12 and 14 carry IPv4 or IPv6 by the version nibble', () => {
    for (const lt of [101, 12, 14]) {
      expect(decoded(rec(lt, v4))).toEqual(found('raw', v4));
      expect(decoded(rec(lt, v6))).toEqual(found('raw', v6));
    }
  });

  it('raw IP with version 5 or no bytes at all is skipped', () => {
    expect(decoded(rec(101, Uint8Array.of(0x50, 0)))).toBe('raw IP record with IP version 5');
    expect(decoded(rec(101, new Uint8Array(0)))).toBe('empty record');
  });

  it('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) carry the datagram as is, whatever its first byte', () => {
    expect(decoded(rec(228, v4))).toEqual(found('ipv4', v4));
    expect(decoded(rec(229, v6))).toEqual(found('ipv6', v6));
    expect(decoded(rec(228, Uint8Array.of(0x50)))).toEqual(found('ipv4', Uint8Array.of(0x50)));
  });
});

describe('Linux cooked capture', () => {
  const sllHeader = (protocol: number) => concat(Uint8Array.of(0, 0, 0x03, 0x0a, 0, 0), new Uint8Array(8), be16(protocol));
  const sll2Header = (protocol: number) => concat(be16(protocol), new Uint8Array(2), Uint8Array.of(0, 0, 0, 3), be16(778), Uint8Array.of(0, 0), new Uint8Array(8));

  it('SLL (113): the protocol field at bytes 14-15, then the datagram at 16', () => {
    expect(decoded(rec(113, concat(sllHeader(0x0800), v4)))).toEqual(found('sll', v4));
    expect(decoded(rec(113, concat(sllHeader(0x8100), be16(42), be16(0x86dd), v6)))).toEqual(found('sll/802.1q:42', v6));
    expect(decoded(rec(113, sllHeader(0x0800).subarray(0, 15)))).toBe('record ends inside the Linux cooked (SLL) header (15 of 16 bytes)');
    expect(decoded(rec(113, concat(sllHeader(0x0806), new Uint8Array(28))))).toBe('sll: ethertype 0x0806 is not IP');
  });

  it('SLL2 (276): the protocol field at bytes 0-1, then the datagram at 20', () => {
    expect(decoded(rec(276, concat(sll2Header(0x86dd), v6)))).toEqual(found('sll2', v6));
    expect(decoded(rec(276, concat(sll2Header(0x8100), be16(7), be16(0x0800), v4)))).toEqual(found('sll2/802.1q:7', v4));
    expect(decoded(rec(276, new Uint8Array(19)))).toBe('record ends inside the Linux cooked v2 (SLL2) header (19 of 20 bytes)');
  });
});

describe('BSD loopback', () => {
  it('NULL (0): the address family in either byte order; 2 is IPv4, 10/24/28/30 are IPv6', () => {
    expect(decoded(rec(0, concat(Uint8Array.of(2, 0, 0, 0), v4)))).toEqual(found('null', v4));
    expect(decoded(rec(0, concat(Uint8Array.of(0, 0, 0, 2), v4)))).toEqual(found('null', v4));
    for (const af of [10, 24, 28, 30]) {
      expect(decoded(rec(0, concat(Uint8Array.of(af, 0, 0, 0), v6)))).toEqual(found('null', v6));
      expect(decoded(rec(0, concat(Uint8Array.of(0, 0, 0, af), v6)))).toEqual(found('null', v6));
    }
    expect(decoded(rec(0, concat(Uint8Array.of(7, 0, 0, 0), v4)))).toBe('null header with address family 7, not IP');
  });

  it('LOOP (108): the address family in network byte order', () => {
    expect(decoded(rec(108, concat(Uint8Array.of(0, 0, 0, 2), v4)))).toEqual(found('loop', v4));
    expect(decoded(rec(108, concat(Uint8Array.of(0, 0, 0, 24), v6)))).toEqual(found('loop', v6));
    expect(decoded(rec(108, concat(Uint8Array.of(2, 0, 0, 0), v4)))).toBe('loop header with address family 33554432, not IP');
    expect(decoded(rec(108, Uint8Array.of(0, 0, 0)))).toBe('record ends inside the loopback header (3 of 4 bytes)');
  });
});

describe('everything else', () => {
  it('a link type the decoder does not know is skipped by name', () => {
    expect(decoded(rec(105, v4))).toBe('link type LINKTYPE 105 is not decoded');
  });

  it('never throws, and the datagram is always the tail of the captured bytes', () => {
    const lts = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105];
    fc.assert(fc.property(fc.constantFrom(...lts), fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 100 }), (lt, data, cut) => {
      const r = rec(lt, data, data.length + cut);
      const d = ipDatagramOf(r);
      if ('skip' in d) return;
      expect(d.ip.buffer).toBe(data.buffer);
      expect(d.ip.byteOffset + d.ip.length).toBe(data.byteOffset + data.length);
      expect(d.truncated).toBe(cut > 0);
      expect(d.wireLength).toBe(d.ip.length + cut);
    }), { numRuns: 3000 });
  });

  it('LINKTYPE names the values it decodes', () => {
    expect(LINKTYPE).toMatchObject({ NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 });
  });
});
