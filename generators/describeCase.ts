// One line per case for reports: each layer, and only what is unusual about it (lies are shown
// with the value they replace), e.g.
//   IPv4 +8B options (RR) | GRE v1 K S A proto 0x880b call 0x1234 | 12B PPP payload | 6B trailer
import type { GreCase, GreHeader, Ipv4Header, Ipv4Option, Ipv6ExtHeader, Ipv6Header, Ipv6Option, KeymapSpec } from './model.ts';
import { isHonest } from './_internals/greArbs.ts';
import { layoutCase, type Layout } from './_internals/layout.ts';
import { onesComplementChecksum } from './_internals/wire.ts';
import type { KeymapEntry } from '../spec/contract.ts';

// Two hex digits per byte, looked up: describeGre writes two or three numbers for every case.
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(n: number, width = 4): string {
  if (width === 4 && n >= 0 && n <= 0xffff && Number.isInteger(n)) return '0x' + HEX2[n >>> 8]! + HEX2[n & 0xff]!;
  return '0x' + n.toString(16).padStart(width, '0');
}

const IPV4_OPTION_NAMES: Record<number, string> = { 7: 'RR', 68: 'TS', 131: 'LSRR', 137: 'SSRR', 148: 'RA', 130: 'SEC', 136: 'SID' };

function ipv4OptionName(o: Ipv4Option): string {
  if (o.kind === 'eol') return 'EOL';
  if (o.kind === 'nop') return 'NOP';
  if (o.kind === 'raw') return `raw ${o.bytes.length}B`;
  const name = IPV4_OPTION_NAMES[o.type] ?? `opt ${o.type}`;
  return o.length === 'auto' ? name : `${name} len ${o.length}`;
}

function describeIpv4(ip: Ipv4Header, l: Layout): string {
  const p = l.packet;
  let s = 'IPv4';
  if (ip.version !== 4) s += ` version ${ip.version}`;
  if (ip.options.length > 0) {
    const names = ip.options.map(ipv4OptionName);
    const shown = names.length > 4 ? [...names.slice(0, 4), '...'] : names;
    s += ` +${l.ipHeaderLength - 20}B options (${shown.join(',')})`;
  }
  if (ip.ihl !== 'auto' && ip.ihl !== l.ipHeaderLength / 4) s += ` IHL ${ip.ihl} (is ${l.ipHeaderLength / 4})`;
  if (ip.totalLength !== 'auto' && ip.totalLength !== l.datagramLength) s += ` total length ${ip.totalLength} (is ${l.datagramLength})`;
  if (ip.checksum !== 'auto' && p.length >= 20) {
    // A header sums to 0xffff, so its checksum over itself is 0 (bytes past the end count as 0).
    if (onesComplementChecksum(p, 0, (p[0]! & 0xf) * 4) !== 0) s += ` bad checksum ${hex(ip.checksum)}`;
  }
  if (ip.reservedFlag) s += ' evil bit';
  if (ip.df) s += ' DF';
  if (ip.mf) s += ' MF';
  if (ip.fragmentOffset !== 0) s += ` frag offset ${ip.fragmentOffset * 8}`;
  if (ip.protocol !== 'auto') s += ` proto ${ip.protocol}`;
  return s;
}

function special(a: string): boolean {
  return a === '::1' || a.startsWith('ff');
}

function describeIpv6(ip: Ipv6Header, l: Layout): string {
  let s = 'IPv6';
  if (ip.version !== 6) s += ` version ${ip.version}`;
  if (special(ip.src)) s += ` src ${ip.src}`;
  if (special(ip.dst)) s += ` dst ${ip.dst}`;
  const real = Math.max(0, l.datagramLength - 40);
  if (ip.payloadLength !== 'auto' && ip.payloadLength !== real) s += ` payload length ${ip.payloadLength} (is ${real})`;
  if (ip.nextHeader !== 'auto') s += ` next header ${ip.nextHeader}`;
  return s;
}

function optionName(o: Ipv6Option): string {
  if (o.kind === 'pad1') return 'Pad1';
  if (o.kind === 'raw') return `raw ${o.bytes.length}B`;
  const name = o.type === 1 ? 'PadN' : o.type === 5 ? 'RA' : `opt ${hex(o.type, 2)}`;
  return o.length === 'auto' ? name : `${name} len ${o.length}`;
}

function describeExt(h: Ipv6ExtHeader): string {
  let s: string;
  switch (h.kind) {
    case 'hop-by-hop':
    case 'destination':
      s = (h.kind === 'hop-by-hop' ? 'HBH' : 'DST') + (h.options.length ? `(${h.options.map(optionName).join(',')})` : '');
      break;
    case 'routing': s = `RT${h.routingType}`; break;
    case 'fragment': s = `FRAG(offset ${h.offset * 8}${h.more ? ' M' : ''})`; break;
    case 'ah': s = `AH ${12 + h.icv.length}B`; break;
  }
  if ('length' in h && h.length !== 'auto') s += ` len ${h.length}`;
  if (h.nextHeader !== 'auto') s += ` next ${h.nextHeader}`;
  return s;
}

export function describeGre(g: GreHeader): string {
  // Written piece by piece rather than joined from a list: corpus generate describes every case.
  const f = g.flags;
  let s = `GRE v${f.version}`;
  if (f.c) s += ' C';
  if (f.r) s += ' R';
  if (f.k) s += ' K';
  if (f.s) s += ' S';
  if (f.strict) s += ' s';
  if (f.a) s += ' A';
  if (f.recursion) s += ` recur ${f.recursion}`;
  if (f.reserved) s += ` flags ${hex(f.reserved << 3)}`;
  s += ` proto ${hex(g.protocol)}`;
  if (g.checksum) s += g.checksum.value === 'auto' ? ' csum' : ` csum ${hex(g.checksum.value)}`;
  if (g.key !== undefined) {
    if (typeof g.key === 'number') s += ` key ${hex(g.key, 8)}`;
    else s += ` call ${hex(g.key.callId)}` + (g.key.payloadLength === 'auto' ? '' : ` len ${g.key.payloadLength}`);
  }
  if (g.seq !== undefined) s += ` seq ${g.seq}`;
  if (g.ack !== undefined) s += ` ack ${g.ack}`;
  if (g.routing) s += ` ${g.routing.length} SREs`;
  if (!isHonest(g)) s += ' (fields disagree with flags)';
  return s;
}

function keymapTag(e: KeymapSpec): string {
  if (e.src === 'packet-src' && e.dst === 'packet-dst') return e.dstkey === 'packet-callid' ? 'match' : 'other dstkey';
  if (e.src === 'packet-dst' && e.dst === 'packet-src') return 'reply';
  if (e.dst === 'packet-dst' && e.dstkey === 'packet-callid') return 'other src';
  return 'entry';
}

export function describeCase(c: GreCase): string {
  return describeLaidOut(c, layoutCase(c));
}

/**
 * encodeCase and describeCase from one layout, for callers that need both for every case
 * (corpus generate): laying a case out is a large share of describing it.
 */
export function encodeAndDescribeCase(c: GreCase): { packet: Uint8Array; keymap: KeymapEntry[]; description: string } {
  const l = layoutCase(c);
  // Described before the packet is handed out, so nothing the caller does to it shows here.
  const description = describeLaidOut(c, l);
  return { packet: l.packet, keymap: l.keymap, description };
}

// Joined piece by piece rather than from lists: corpus generate describes every case.
function describeLaidOut(c: GreCase, l: Layout): string {
  let s = c.ip.family === 4 ? describeIpv4(c.ip, l) : describeIpv6(c.ip, l);
  for (const h of c.ext) s += ' > ' + describeExt(h);
  s += ' | ' + describeGre(c.gre);
  const t = c.truncate;
  if (t !== null && l.datagramLength < l.fullLength) {
    const kept = l.datagramLength - l.greOffset;
    s += kept >= 0 ? ` | cut to ${kept} GRE bytes` : ` | cut ${-kept}B before GRE`;
    if (t.lengths === 'before') s += ' (lengths count the cut bytes)';
  }
  const n = c.payload.bytes.length;
  s += n === 0 ? ' | no payload' : c.payload.kind === 'raw' ? ` | ${n}B payload` : ` | ${n}B ${c.payload.kind.toUpperCase()} payload`;
  if (c.trailer.length > 0) s += ` | ${c.trailer.length}B trailer`;
  if (c.keymap.length > 0) {
    s += ' | keymap: ';
    for (let i = 0; i < c.keymap.length; i++) s += (i > 0 ? ', ' : '') + keymapTag(c.keymap[i]!);
  }
  return s;
}
