// A field-by-field decode of one datagram for reports, in the spirit of Wireshark's packet
// tree: the outer header, the IPv6 extension chain, the GRE flags and fields (RFC 1701, 2784,
// 2890, 2637), and where conntrack's view ends. Every read is bounds-checked: a truncated
// packet decodes as far as its bytes go and says where it ends.
import { formatIPv4, formatIPv6 } from '../spec/address.ts';
import type { Verdict } from '../oracles/index.ts';
import { ipv4ChecksumOk } from '../oracles/index.ts';

export interface DecodeLine {
  readonly depth: number;
  readonly text: string;
  /** Byte range [start, end) of the datagram this line describes, when it has one. */
  readonly range?: readonly [number, number];
}

const GRE_PROTOCOLS: Record<number, string> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x6558: 'Transparent Ethernet Bridging', 0x880b: 'PPP',
  0x88be: 'ERSPAN', 0x22eb: 'ERSPAN III', 0x883e: 'WCCP', 0x2001: 'NHRP', 0x8847: 'MPLS',
};
const EXT_NAMES: Record<number, string> = {
  0: 'Hop-by-Hop Options', 43: 'Routing', 44: 'Fragment', 50: 'ESP', 51: 'Authentication Header',
  59: 'No Next Header', 60: 'Destination Options', 135: 'Mobility', 47: 'GRE',
};

function be16(b: Uint8Array, o: number): number | undefined {
  return o + 2 <= b.length ? (b[o]! << 8) | b[o + 1]! : undefined;
}
function be32(b: Uint8Array, o: number): number | undefined {
  return o + 4 <= b.length ? ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0 : undefined;
}
const h = (n: number, w: number) => '0x' + n.toString(16).padStart(w, '0');
const bit = (v: number, mask: number) => ((v & mask) !== 0 ? 1 : 0);

export function decodeDatagram(b: Uint8Array, verdict?: Verdict): DecodeLine[] {
  const out: DecodeLine[] = [];
  const line = (depth: number, text: string, range?: [number, number]) => out.push(range ? { depth, text, range } : { depth, text });
  if (b.length === 0) { line(0, 'empty datagram'); return out; }
  const version = b[0]! >> 4;
  let greOff: number | undefined = verdict?.dataoff;
  let end = b.length;
  if (version === 4 && b.length >= 20) {
    const ihl = b[0]! & 15;
    const tot = be16(b, 2)!;
    const fo = be16(b, 6)!;
    line(0, 'Internet Protocol Version 4', [0, Math.min(b.length, ihl * 4)]);
    line(1, `Version: 4, Header Length: ${ihl * 4} bytes (${ihl})`, [0, 1]);
    line(1, `Total Length: ${tot}` + (tot !== b.length ? `  [datagram has ${b.length} bytes]` : ''), [2, 4]);
    line(1, `Identification: ${h(be16(b, 4)!, 4)}`, [4, 6]);
    line(1, `Flags: reserved=${bit(fo, 0x8000)} DF=${bit(fo, 0x4000)} MF=${bit(fo, 0x2000)}, Fragment Offset: ${(fo & 0x1fff) * 8}`, [6, 8]);
    line(1, `TTL: ${b[8]}, Protocol: ${EXT_NAMES[b[9]!] ?? 'unknown'} (${b[9]})`, [8, 10]);
    const csumOk = ihl >= 5 && ihl * 4 <= b.length && ipv4ChecksumOk(b, ihl * 4);
    line(1, `Header Checksum: ${h(be16(b, 10)!, 4)} [${csumOk ? 'correct' : 'incorrect'}]`, [10, 12]);
    line(1, `Source: ${formatIPv4(b, 12)}`, [12, 16]);
    line(1, `Destination: ${formatIPv4(b, 16)}`, [16, 20]);
    if (ihl > 5) line(1, `Options (${ihl * 4 - 20} bytes): ${describeIpv4Options(b, Math.min(ihl * 4, b.length))}`, [20, ihl * 4]);
    greOff ??= ihl * 4;
    if (tot >= ihl * 4 && tot <= b.length) end = tot;
  } else if (version === 6 && b.length >= 40) {
    const plen = be16(b, 4)!;
    line(0, 'Internet Protocol Version 6', [0, 40]);
    line(1, `Payload Length: ${plen}` + (plen + 40 !== b.length ? `  [datagram has ${b.length - 40} bytes after the header]` : ''), [4, 6]);
    line(1, `Next Header: ${EXT_NAMES[b[6]!] ?? 'unknown'} (${b[6]}), Hop Limit: ${b[7]}`, [6, 8]);
    line(1, `Source: ${formatIPv6(b, 8)}`, [8, 24]);
    line(1, `Destination: ${formatIPv6(b, 24)}`, [24, 40]);
    if (plen !== 0 && plen + 40 <= b.length) end = plen + 40;
    let nh = b[6]!;
    let off = 40;
    for (let n = 0; n < 32 && [0, 43, 44, 51, 60].includes(nh); n++) {
      if (off + 2 > b.length) { line(0, `${EXT_NAMES[nh]} header at byte ${off}: [cut: fewer than 2 bytes]`); break; }
      const len = nh === 44 ? 8 : nh === 51 ? (b[off + 1]! + 2) * 4 : (b[off + 1]! + 1) * 8;
      let extra = '';
      if (nh === 44) {
        const fo = be16(b, off + 2);
        extra = fo === undefined ? ' [offset field cut]' : `, Offset: ${fo & 0xfff8}, M=${fo & 1}, Identification: ${be32(b, off + 4) !== undefined ? h(be32(b, off + 4)!, 8) : '[cut]'}`;
      } else {
        extra = `, Length field: ${b[off + 1]} (${len} bytes)`;
      }
      line(0, `IPv6 ${EXT_NAMES[nh]} header at byte ${off}: Next Header ${b[off]}${extra}`, [off, Math.min(off + len, b.length)]);
      nh = b[off]!;
      off += len;
      if (nh === 44 && (be16(b, off - 8 + 2) ?? 0) & 0xfff8) break;
    }
    if (nh !== 47) line(0, `walk ends at protocol ${EXT_NAMES[nh] ?? 'unknown'} (${nh}) at byte ${off}`);
    greOff ??= off;
  } else {
    line(0, `not an IPv4 or IPv6 header (version nibble ${version}, ${b.length} bytes)`);
    return out;
  }
  if (verdict && verdict.seenLength > 0) end = verdict.seenLength;
  if (greOff !== undefined && (verdict === undefined || verdict.l4proto === 47 || verdict.l4proto === undefined)) decodeGre(b, greOff, end, line);
  if (end < b.length) line(0, `${b.length - end} bytes after the IP length (bytes ${end}..${b.length - 1}): trimmed, conntrack never sees them`, [end, b.length]);
  return out;
}

function decodeGre(b: Uint8Array, off: number, end: number, line: (d: number, t: string, r?: [number, number]) => void): void {
  const n = end - off;
  if (n <= 0) { line(0, `Generic Routing Encapsulation at byte ${off}: no bytes (conntrack sees ${Math.max(0, end)} bytes)`); return; }
  line(0, `Generic Routing Encapsulation at byte ${off} (${n} bytes seen by conntrack)`, [off, end]);
  const flags = off + 2 <= end ? be16(b, off)! : undefined;
  if (flags === undefined) { line(1, `[cut after ${n} byte${n === 1 ? '' : 's'}: no flags word]`); return; }
  const ver = flags & 7;
  line(1, `Flags and Version: ${h(flags, 4)}`, [off, off + 2]);
  line(2, `C=${bit(flags, 0x8000)} R=${bit(flags, 0x4000)} K=${bit(flags, 0x2000)} S=${bit(flags, 0x1000)} s=${bit(flags, 0x0800)} Recur=${(flags >> 8) & 7} A=${bit(flags, 0x80)} Flags=${(flags >> 3) & 15}`);
  line(2, `Version: ${ver}${ver === 0 ? ' (GRE)' : ver === 1 ? ' (Enhanced GRE, PPTP)' : ' (unassigned)'}  [conntrack: version = flags & 7]`);
  const proto = off + 4 <= end ? be16(b, off + 2)! : undefined;
  if (proto === undefined) { line(1, `[cut after ${n} bytes: no protocol]`); return; }
  line(1, `Protocol Type: ${GRE_PROTOCOLS[proto] ?? 'unknown'} (${h(proto, 4)})`, [off + 2, off + 4]);
  let p = off + 4;
  const field = (name: string, size: number) => {
    if (p + size > end) { line(1, `${name}: [cut: needs bytes ${p}..${p + size - 1}]`); p = end; return undefined; }
    const v = size === 2 ? be16(b, p)! : be32(b, p)!;
    line(1, `${name}: ${h(v, size * 2)}`, [p, p + size]);
    p += size;
    return v;
  };
  if (ver === 1) {
    field('Payload Length', 2);
    if (p < end) field('Call ID  [conntrack dstkey: GRE bytes 6-7]', 2);
    if (flags & 0x1000 && p < end) field('Sequence Number', 4);
    if (flags & 0x80 && p < end) field('Acknowledgment Number', 4);
  } else {
    if (flags & 0xc000) { field('Checksum', 2); if (p < end) field('Offset', 2); }
    if (flags & 0x2000 && p < end) field('Key  [RFC 2890; not used by conntrack]', 4);
    if (flags & 0x1000 && p < end) field('Sequence Number', 4);
  }
  if (p < end) line(1, `Payload: ${end - p} bytes`, [p, end]);
}

function describeIpv4Options(b: Uint8Array, end: number): string {
  const names: Record<number, string> = { 0: 'EOL', 1: 'NOP', 7: 'RR', 68: 'TS', 131: 'LSRR', 137: 'SSRR', 148: 'RA', 130: 'SEC', 134: 'CIPSO' };
  const parts: string[] = [];
  for (let p = 20; p < end && parts.length < 12; ) {
    const t = b[p]!;
    if (t === 0 || t === 1) { parts.push(names[t]!); p++; if (t === 0) break; continue; }
    const l = b[p + 1];
    parts.push(`${names[t] ?? `type ${t}`}(len ${l ?? 'cut'})`);
    if (l === undefined || l < 2) break;
    p += l;
  }
  return parts.join(', ');
}

/** Classic hex dump: offset, 16 bytes, with `end` marking where conntrack's view stops. */
export function hexDump(b: Uint8Array, marks: { greAt?: number; end?: number } = {}): string[] {
  const lines: string[] = [];
  for (let o = 0; o < b.length; o += 16) {
    const row = Array.from(b.subarray(o, o + 16), (x, i) => {
      const at = o + i;
      const pre = at === marks.greAt ? '[' : at === marks.end ? '|' : ' ';
      return pre + x.toString(16).padStart(2, '0');
    }).join('');
    lines.push(`${o.toString(16).padStart(4, '0')} ${row}`);
  }
  return lines;
}
