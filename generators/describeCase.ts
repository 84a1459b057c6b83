// One line per case for reports: each layer, and only what is unusual about it (lies are shown
// with the value they replace), e.g.
//   IPv4 +8B options (RR) | GRE v1 K S A proto 0x880b call 0x1234 | 12B PPP payload | 6B trailer
import type { GreCase, GreHeader, Ipv4Header, Ipv4Option, Ipv6ExtHeader, Ipv6Header, Ipv6Option, KeymapSpec } from './model.ts';
import { isHonest } from './_internals/greArbs.ts';
import { layoutCase, type Layout } from './_internals/layout.ts';
import { onesComplementChecksum } from './_internals/wire.ts';
import type { KeymapEntry } from '../spec/contract.ts';
import type { ParsedKeymapEntry } from '../oracles/linux/keymap.ts';

/**
 * Where a description is written, piece by piece: a string (describeCase), or bytes where the
 * text is copied into a buffer anyway (corpus generate's expected lines). A description built
 * as a string is a rope of some twenty pieces; copying one out character by character took as
 * long as building it, and the expected line copies every case's.
 */
export interface DescriptionSink {
  text(s: string): void;
  /** A number as String(n) writes it. */
  num(n: number): void;
}

class StringSink implements DescriptionSink {
  s = '';
  text(s: string): void { this.s += s; }
  num(n: number): void { this.s += n; }
}

// Two hex digits per byte, looked up: describeGre writes two or three numbers for every case.
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(out: DescriptionSink, n: number, width = 4): void {
  if (width === 4 && n >= 0 && n <= 0xffff && Number.isInteger(n)) {
    out.text('0x'); out.text(HEX2[n >>> 8]!); out.text(HEX2[n & 0xff]!);
    return;
  }
  out.text('0x' + n.toString(16).padStart(width, '0'));
}

function hexText(n: number, width: number): string {
  const s = new StringSink();
  hex(s, n, width);
  return s.s;
}

const IPV4_OPTION_NAMES: Record<number, string> = { 7: 'RR', 68: 'TS', 131: 'LSRR', 137: 'SSRR', 148: 'RA', 130: 'SEC', 136: 'SID' };

function ipv4OptionName(o: Ipv4Option): string {
  if (o.kind === 'eol') return 'EOL';
  if (o.kind === 'nop') return 'NOP';
  if (o.kind === 'raw') return `raw ${o.bytes.length}B`;
  const name = IPV4_OPTION_NAMES[o.type] ?? `opt ${o.type}`;
  return o.length === 'auto' ? name : `${name} len ${o.length}`;
}

function describeIpv4(out: DescriptionSink, ip: Ipv4Header, l: Layout): void {
  const p = l.packet;
  out.text('IPv4');
  if (ip.version !== 4) { out.text(' version '); out.num(ip.version); }
  if (ip.options.length > 0) {
    const names = ip.options.map(ipv4OptionName);
    const shown = names.length > 4 ? [...names.slice(0, 4), '...'] : names;
    out.text(' +'); out.num(l.ipHeaderLength - 20); out.text('B options ('); out.text(shown.join(',')); out.text(')');
  }
  if (ip.ihl !== 'auto' && ip.ihl !== l.ipHeaderLength / 4) { out.text(' IHL '); out.num(ip.ihl); out.text(' (is '); out.num(l.ipHeaderLength / 4); out.text(')'); }
  if (ip.totalLength !== 'auto' && ip.totalLength !== l.datagramLength) {
    out.text(' total length '); out.num(ip.totalLength); out.text(' (is '); out.num(l.datagramLength); out.text(')');
  }
  if (ip.checksum !== 'auto' && p.length >= 20) {
    // A header sums to 0xffff, so its checksum over itself is 0 (bytes past the end count as 0).
    if (onesComplementChecksum(p, 0, (p[0]! & 0xf) * 4) !== 0) { out.text(' bad checksum '); hex(out, ip.checksum); }
  }
  if (ip.reservedFlag) out.text(' evil bit');
  if (ip.df) out.text(' DF');
  if (ip.mf) out.text(' MF');
  if (ip.fragmentOffset !== 0) { out.text(' frag offset '); out.num(ip.fragmentOffset * 8); }
  if (ip.protocol !== 'auto') { out.text(' proto '); out.num(ip.protocol); }
}

function special(a: string): boolean {
  return a === '::1' || a.startsWith('ff');
}

function describeIpv6(out: DescriptionSink, ip: Ipv6Header, l: Layout): void {
  out.text('IPv6');
  if (ip.version !== 6) { out.text(' version '); out.num(ip.version); }
  if (special(ip.src)) { out.text(' src '); out.text(ip.src); }
  if (special(ip.dst)) { out.text(' dst '); out.text(ip.dst); }
  const real = Math.max(0, l.datagramLength - 40);
  if (ip.payloadLength !== 'auto' && ip.payloadLength !== real) { out.text(' payload length '); out.num(ip.payloadLength); out.text(' (is '); out.num(real); out.text(')'); }
  if (ip.nextHeader !== 'auto') { out.text(' next header '); out.num(ip.nextHeader); }
}

function optionName(o: Ipv6Option): string {
  if (o.kind === 'pad1') return 'Pad1';
  if (o.kind === 'raw') return `raw ${o.bytes.length}B`;
  const name = o.type === 1 ? 'PadN' : o.type === 5 ? 'RA' : `opt ${hexText(o.type, 2)}`;
  return o.length === 'auto' ? name : `${name} len ${o.length}`;
}

function describeExt(out: DescriptionSink, h: Ipv6ExtHeader): void {
  switch (h.kind) {
    case 'hop-by-hop':
    case 'destination':
      out.text(h.kind === 'hop-by-hop' ? 'HBH' : 'DST');
      if (h.options.length) { out.text('('); out.text(h.options.map(optionName).join(',')); out.text(')'); }
      break;
    case 'routing': out.text('RT'); out.num(h.routingType); break;
    case 'fragment': out.text('FRAG(offset '); out.num(h.offset * 8); out.text(h.more ? ' M)' : ')'); break;
    case 'ah': out.text('AH '); out.num(12 + h.icv.length); out.text('B'); break;
  }
  if ('length' in h && h.length !== 'auto') { out.text(' len '); out.num(h.length); }
  if (h.nextHeader !== 'auto') { out.text(' next '); out.num(h.nextHeader); }
}

export function describeGre(g: GreHeader): string {
  const s = new StringSink();
  describeGreInto(s, g);
  return s.s;
}

function describeGreInto(out: DescriptionSink, g: GreHeader): void {
  const f = g.flags;
  out.text('GRE v'); out.num(f.version);
  if (f.c) out.text(' C');
  if (f.r) out.text(' R');
  if (f.k) out.text(' K');
  if (f.s) out.text(' S');
  if (f.strict) out.text(' s');
  if (f.a) out.text(' A');
  if (f.recursion) { out.text(' recur '); out.num(f.recursion); }
  if (f.reserved) { out.text(' flags '); hex(out, f.reserved << 3); }
  out.text(' proto '); hex(out, g.protocol);
  if (g.checksum) {
    out.text(' csum');
    if (g.checksum.value !== 'auto') { out.text(' '); hex(out, g.checksum.value); }
  }
  if (g.key !== undefined) {
    if (typeof g.key === 'number') { out.text(' key '); hex(out, g.key, 8); }
    else {
      out.text(' call '); hex(out, g.key.callId);
      if (g.key.payloadLength !== 'auto') { out.text(' len '); out.num(g.key.payloadLength); }
    }
  }
  if (g.seq !== undefined) { out.text(' seq '); out.num(g.seq); }
  if (g.ack !== undefined) { out.text(' ack '); out.num(g.ack); }
  if (g.routing) { out.text(' '); out.num(g.routing.length); out.text(' SREs'); }
  if (!isHonest(g)) out.text(' (fields disagree with flags)');
}

function keymapTag(e: KeymapSpec): string {
  if (e.src === 'packet-src' && e.dst === 'packet-dst') return e.dstkey === 'packet-callid' ? 'match' : 'other dstkey';
  if (e.src === 'packet-dst' && e.dst === 'packet-src') return 'reply';
  if (e.dst === 'packet-dst' && e.dstkey === 'packet-callid') return 'other src';
  return 'entry';
}

export function describeCase(c: GreCase): string {
  const s = new StringSink();
  describeLaidOut(s, c, layoutCase(c));
  return s.s;
}

/**
 * encodeCase and describeCase from one layout, for callers that need both for every case
 * (corpus generate): laying a case out is a large share of describing it.
 */
export function encodeAndDescribeCase(c: GreCase): { packet: Uint8Array; keymap: KeymapEntry[]; description: string } {
  const s = new StringSink();
  const { packet, keymap } = encodeAndDescribeCaseInto(c, s);
  return { packet, keymap, description: s.s };
}

/** encodeAndDescribeCase with the description written into `out`, and the keymap parsed as well (Layout). */
export function encodeAndDescribeCaseInto(c: GreCase, out: DescriptionSink): { packet: Uint8Array; keymap: KeymapEntry[]; parsedKeymap: readonly ParsedKeymapEntry[] } {
  const l = layoutCase(c);
  // Described before the packet is handed out, so nothing the caller does to it shows here.
  describeLaidOut(out, c, l);
  return { packet: l.packet, keymap: l.keymap, parsedKeymap: l.parsedKeymap };
}

function describeLaidOut(out: DescriptionSink, c: GreCase, l: Layout): void {
  if (c.ip.family === 4) describeIpv4(out, c.ip, l);
  else describeIpv6(out, c.ip, l);
  for (const h of c.ext) { out.text(' > '); describeExt(out, h); }
  out.text(' | ');
  describeGreInto(out, c.gre);
  const t = c.truncate;
  if (t !== null && l.datagramLength < l.fullLength) {
    const kept = l.datagramLength - l.greOffset;
    if (kept >= 0) { out.text(' | cut to '); out.num(kept); out.text(' GRE bytes'); } else { out.text(' | cut '); out.num(-kept); out.text('B before GRE'); }
    if (t.lengths === 'before') out.text(' (lengths count the cut bytes)');
  }
  const n = c.payload.bytes.length;
  if (n === 0) out.text(' | no payload');
  else {
    out.text(' | '); out.num(n); out.text('B ');
    if (c.payload.kind !== 'raw') { out.text(c.payload.kind.toUpperCase()); out.text(' '); }
    out.text('payload');
  }
  if (c.trailer.length > 0) { out.text(' | '); out.num(c.trailer.length); out.text('B trailer'); }
  if (c.keymap.length > 0) {
    out.text(' | keymap: ');
    for (let i = 0; i < c.keymap.length; i++) { if (i > 0) out.text(', '); out.text(keymapTag(c.keymap[i]!)); }
  }
}
