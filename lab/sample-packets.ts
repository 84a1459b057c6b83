// A small stand-in generator for the lab's own tests, used until generators/index.ts (greCase,
// encodeCase) is there: IPv4 and IPv6 datagrams carrying GRE of every version, with options,
// extension headers, fragments, wrong lengths and checksums, special IPv6 addresses and
// Ethernet padding. It stays inside the suite's domain (CONTRACT.md 3): no final protocol with a
// tracker of its own, no CALIPSO or CIPSO. It is a sampler, not a shrinking arbitrary: lab
// failures are reported with the packet hex, which replays as it is.
import fc from 'fast-check';
import { ipv4Checksum } from '../oracles/index.ts';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = (v: number) => [v >> 8, v & 0xff];

/** GRE: flags/version and protocol from the interesting values, then up to 20 more bytes. */
function greBytes(): fc.Arbitrary<number[]> {
  const flags = fc.oneof(
    fc.constantFrom(0x0000, 0x2000, 0x3001, 0x3081, 0x2001, 0x0001, 0xb000, 0x3002, 0x0007, 0x0008, 0xfff9),
    fc.integer({ min: 0, max: 0xffff }),
  );
  const proto = fc.oneof(fc.constantFrom(0x880b, 0x0800, 0x86dd, 0x6558, 0x880a, 0x0b88), fc.integer({ min: 0, max: 0xffff }));
  return fc.tuple(flags, proto, bytes(0, 20), fc.nat(30)).map(([f, p, rest, cut]) => {
    const all = [...u16(f), ...u16(p), ...rest];
    // One time in three the GRE header is cut short, anywhere from 0 bytes on.
    return cut < 10 ? all.slice(0, cut % (all.length + 1)) : all;
  });
}

const trailer = fc.oneof({ weight: 3, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: bytes(1, 24) });

const ipv4Option = fc.constantFrom(
  [0x01], [0x01, 0x01, 0x01, 0x01], [0x00], // NOP, EOL
  [0x94, 0x04, 0x00, 0x00], // Router Alert
  [0x07, 0x07, 0x04, 0, 0, 0, 0], // Record Route, empty slot
  [0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0], // Timestamp, one slot
  [0x83, 0x07, 0x04, 10, 9, 9, 9], // Loose Source Route
  [0x89, 0x07, 0x04, 10, 9, 9, 9], // Strict Source Route
  [0x30, 0x01], // length 1: malformed
  [0x44, 0x03, 0x05], // Timestamp too short: malformed
  [0x07, 0x20, 0x04], // length past the header: malformed
  [0x9e, 0x04, 0xaa, 0xbb], // unknown, well formed
);

function ipv4(): fc.Arbitrary<Uint8Array> {
  return fc.record({
    opts: fc.oneof({ weight: 4, arbitrary: fc.constant([] as number[][]) }, { weight: 1, arbitrary: fc.array(ipv4Option, { minLength: 1, maxLength: 4 }) }),
    frag: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(0x4000, 0x8000, 0x2000, 0x0001, 0x2010, 0x6000) }),
    proto: fc.oneof({ weight: 12, arbitrary: fc.constant(47) }, { weight: 1, arbitrary: fc.constantFrom(4, 41, 50, 51, 103, 255) }),
    gre: greBytes(),
    lenLie: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -30, max: 30 }) }),
    badSum: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xffff }) }),
    version: fc.oneof({ weight: 40, arbitrary: fc.constant(4) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
    ihlLie: fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) }),
    trailer,
  }).map((r) => {
    let o = r.opts.flat();
    while (o.length % 4 !== 0) o.push(0x00);
    o = o.slice(0, 40);
    const hlen = 20 + o.length;
    const ihl = Math.min(15, Math.max(0, hlen / 4 + r.ihlLie));
    const total = Math.max(0, Math.min(0xffff, hlen + r.gre.length + r.lenLie));
    const h = [(r.version << 4) | ihl, 0, ...u16(total), 0x12, 0x34, ...u16(r.frag), 64, r.proto, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, ...o];
    const p = Uint8Array.from([...h, ...r.gre, ...r.trailer]);
    const sum = ipv4Checksum(p, hlen) ^ r.badSum;
    p[10] = sum >> 8;
    p[11] = sum & 0xff;
    return p;
  });
}

const addr6 = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('20010db8000000000000000000000001', '20010db8000000000000000000000002') },
  { weight: 2, arbitrary: fc.constantFrom(
    '00000000000000000000000000000001', 'ff020000000000000000000000000001', 'ff010000000000000000000000000001',
    'ff000000000000000000000000000001', 'ff0e0000000000000000000000000001', 'fe800000000000000000000000000001',
    '00000000000000000000000000000000', '00000000000000000000ffffc0000201') },
).map((h) => Array.from(Buffer.from(h, 'hex')));

/** An option area of (len+1)*8 - 2 bytes for Hop-by-Hop and Destination Options. */
const tlvBody = fc.constantFrom(
  [0x01, 0x04, 0, 0, 0, 0], // PadN
  [0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // 6 Pad1: too much padding
  [0x05, 0x02, 0x00, 0x00, 0x01, 0x00], // Router Alert + PadN(0)
  [0x1e, 0x04, 1, 2, 3, 4], // unknown, action skip
  [0x87, 0x04, 1, 2, 3, 4], // unknown, action discard
  [0x01, 0x04, 0, 1, 0, 0], // PadN with a non-zero byte
);

type Ext = { nh: number; body: (next: number) => number[] };
const ext: fc.Arbitrary<Ext> = fc.oneof(
  tlvBody.map((b): Ext => ({ nh: 60, body: (n) => [n, 0, ...b] })),
  fc.tuple(fc.constantFrom(0, 2, 4), fc.nat(3)).map(([type, left]): Ext => ({ nh: 43, body: (n) => [n, 0, type, left, 0, 0, 0, 0] })),
  fc.tuple(fc.constantFrom(0, 1, 8, 9, 0x10), fc.nat(0xffff)).map(([off, id]): Ext => ({ nh: 44, body: (n) => [n, 0, ...u16(off), 0, 0, ...u16(id)] })),
  fc.integer({ min: 1, max: 4 }).map((len): Ext => ({ nh: 51, body: (n) => [n, len, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...new Array((len + 2) * 4 - 12).fill(0)] })),
);

function ipv6(): fc.Arbitrary<Uint8Array> {
  return fc.record({
    src: addr6,
    dst: addr6,
    hbh: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: tlvBody }),
    chain: fc.array(ext, { maxLength: 3 }),
    last: fc.oneof({ weight: 10, arbitrary: fc.constant(47) }, { weight: 1, arbitrary: fc.constantFrom(59, 50, 135, 255) }),
    gre: greBytes(),
    lenLie: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 30 }) }),
    trailer,
  }).map((r) => {
    // Headers are written back to front so that each one names the next.
    let next: number = r.last;
    let tail: number[] = [...r.gre];
    for (const e of [...r.chain].reverse()) {
      tail = [...e.body(next), ...tail];
      next = e.nh;
    }
    if (r.hbh) {
      tail = [next, 0, ...r.hbh, ...tail];
      next = 0;
    }
    const plen = Math.max(0, Math.min(0xffff, tail.length + r.lenLie));
    return Uint8Array.from([0x60, 0, 0, 0, ...u16(plen), next, 64, ...r.src, ...r.dst, ...tail, ...r.trailer]);
  });
}

/** A datagram of the mix: 3 IPv4 to 2 IPv6. */
export function labSamplePacket(): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ weight: 3, arbitrary: ipv4() }, { weight: 2, arbitrary: ipv6() });
}
