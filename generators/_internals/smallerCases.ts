// Shrink moves of a whole case that no part's own shrinks make, because they need the datagram's
// layout or change two parts at once: cut the datagram where the bytes that decide an answer end,
// carry GRE in IPv4 instead of IPv6, drop an extension header (the walk still ends as it did),
// end the datagram 2 bytes into one more extension header instead of in GRE, shorten an option;
// then simplifications that keep the size (IPv4 options made NOPs, lies made 'auto', plain
// extension headers). greCase tries them before the parts' own shrinks (tupleMapBySize), so a
// counterexample shrinks towards the fewest bytes.
import type { AddressRef, AutoNumber, GreCase, KeymapSpec, Ipv4Header, Ipv4Option, Ipv6ExtHeader, Ipv6Header, Ipv6Option, Truncation } from '../model.ts';
import { IPV4_POOL } from '../ipv4Address.ts';
import { ipv4Of } from './addresses.ts';
import { encodeIpv4Options } from './encodeIpv4Options.ts';
import { layoutCase, type Layout } from './layout.ts';
import { cutWithout, shift } from './neutralizeCommon.ts';

/** GRE bytes where conntrack's reads end (GRE-1, GRE-3, GRE-7): none, one, the base header, a version 1 header, one byte past it. */
const GRE_CUTS = [0, 1, 4, 8, 9] as const;

/** An 8-byte Destination Options header (only padding): one the walk just skips. */
const PLAIN_DESTINATION: Ipv6ExtHeader = { kind: 'destination', nextHeader: 'auto', length: 'auto', options: [] };

/** RFC 791 No Operation: one byte __ip_options_compile steps over, and ipv4Option's shrink target. */
const NOP: Ipv4Option = { kind: 'nop' };

/** The packet's size, what shrinking lowers first. */
export function caseSize(c: GreCase): number {
  return layoutCase(c).packet.length;
}

/**
 * Smaller cases (the shortest cuts first), then simplifications of the same size: IPv4 options
 * made NOPs, an extension header dropped with the datagram left as long, an extension header
 * made a Destination Options header with no options (one the walk just skips), an explicit IP
 * or extension header field made 'auto', a cut that cuts nothing removed. No move of the same size is undone by another
 * move or by a part's own shrink (tupleMapBySize needs that to stop).
 */
export function* smallerCases(c: GreCase): Generator<GreCase> {
  const l = layoutCase(c);

  // Cuts: at the end of the IP header, where each extension header has been read (2 bytes; 4 for
  // a Fragment header, whose offset is read too), and at the lengths conntrack reads GRE to.
  const ends = new Set<number>([l.ipHeaderLength, l.payloadOffset]);
  c.ext.forEach((h, i) => {
    ends.add(l.extOffsets[i]! + 2);
    if (h.kind === 'fragment') ends.add(l.extOffsets[i]! + 4);
  });
  for (const k of GRE_CUTS) ends.add(l.greOffset + k);
  // Each also with the IPv4 options made NOPs (nopOptions says why it rides on a cut).
  const ip4 = c.ip.family === 4 ? c.ip : undefined;
  const nops = ip4 && nopOptions(ip4.options);
  for (const end of [...ends].sort((a, b) => a - b)) {
    if (end >= l.datagramLength) break;
    const truncate = cutAt(c, end, l.greOffset);
    yield { ...c, truncate };
    if (ip4 && nops) yield { ...c, ip: { ...ip4, options: nops }, truncate };
  }

  if (c.ip.family === 6) {
    yield asIpv4(c, l);
    for (let i = 0; i < c.ext.length; i++) yield withoutExt(c, l, i, false);
    // What follows the chain replaced by the first 2 bytes of a Destination Options header: the
    // fewest bytes the walk reads as one more header.
    if (l.datagramLength > l.greOffset + 2) {
      const ext = [...c.ext, PLAIN_DESTINATION];
      yield { ...c, ext, truncate: { from: 'gre', keep: -6, lengths: c.truncate?.lengths ?? 'after' } };
    }
  }

  // An option replaced by its first bytes (raw), when that makes the header shorter.
  const shorter = (x: GreCase) => caseSize(x) < l.packet.length;
  if (c.ip.family === 4) {
    const ip = c.ip;
    for (const options of prefixes(ip.options, ipv4OptionBytes)) {
      const x: GreCase = { ...c, ip: { ...ip, options } };
      if (shorter(x)) yield x;
    }
  }
  for (let i = 0; i < c.ext.length; i++) {
    const h = c.ext[i]!;
    if (h.kind !== 'hop-by-hop' && h.kind !== 'destination') continue;
    for (const options of prefixes(h.options, ipv6OptionBytes)) {
      const x: GreCase = { ...c, ext: c.ext.map((e, j) => (j === i ? { ...h, options } : e)) };
      if (shorter(x)) yield x;
    }
  }

  // Of the same size.
  if (ip4 && nops && ip4.options.some((o) => o.kind !== 'nop')) yield { ...c, ip: { ...ip4, options: nops } };
  for (let i = 0; i < c.ext.length; i++) {
    if (l.datagramLength > l.extOffsets[i]! && l.datagramLength < (l.extOffsets[i + 1] ?? l.greOffset)) yield withoutExt(c, l, i, true);
  }
  for (let i = 0; i < c.ext.length; i++) {
    const h = c.ext[i]!;
    if (h.kind === 'destination' && h.options.length === 0 && h.length === 'auto') continue;
    yield { ...c, ext: c.ext.map((x, j) => (j === i ? { ...PLAIN_DESTINATION, nextHeader: h.nextHeader } : x)) };
  }
  yield* autoFields(c);
  if (c.truncate !== null && l.datagramLength === l.fullLength) yield { ...c, truncate: null };
}

/**
 * NOPs in every byte `options` take (their EOL padding included), or undefined when they already
 * are. The header keeps its length, and each byte of its options is then one that
 * __ip_options_compile (net/ipv4/ip_options.c) reads and steps over: none is left unread behind
 * an EOL, where a reader that gets the header wrong would still find it. NOP is ipv4Option's
 * shrink target, but only through a shrink context, which an option a move made (a raw prefix, a
 * parsed option) does not have. Offered on its own (same size) only when some option is not a
 * NOP: for NOPs padded with EOLs, dropping a NOP (the options' own shrink) would bring the padding
 * back and shrinking could go round; so it is also offered with each cut, which makes it smaller.
 */
function nopOptions(options: readonly Ipv4Option[]): Ipv4Option[] | undefined {
  const n = encodeIpv4Options(options).length;
  if (options.length === n && options.every((o) => o.kind === 'nop')) return undefined;
  return Array.from({ length: n }, () => NOP);
}

function ipv4OptionBytes(o: Ipv4Option): readonly number[] {
  if (o.kind === 'eol') return [0];
  if (o.kind === 'nop') return [1];
  if (o.kind === 'raw') return [...o.bytes];
  return [o.type, o.length === 'auto' ? o.data.length + 2 : o.length, ...o.data];
}

function ipv6OptionBytes(o: Ipv6Option): readonly number[] {
  if (o.kind === 'pad1') return [0];
  if (o.kind === 'raw') return [...o.bytes];
  return [o.type, o.length === 'auto' ? o.data.length : o.length, ...o.data];
}

/** The option lists with one option replaced by its first 1, 2, ... bytes (raw). */
function* prefixes<O>(options: readonly O[], bytesOf: (o: O) => readonly number[]): Generator<O[]> {
  for (let i = 0; i < options.length; i++) {
    const b = bytesOf(options[i]!);
    for (let k = 1; k < b.length; k++) {
      const raw = { kind: 'raw', bytes: Uint8Array.from(b.slice(0, k)) } as O;
      yield options.map((o, j) => (j === i ? raw : o));
    }
  }
}

/** The cut that ends the datagram `end` bytes in, `greOffset` being where GRE starts. */
function cutAt(c: GreCase, end: number, greOffset: number): Truncation {
  return { from: 'gre', keep: end - greOffset, lengths: c.truncate?.lengths ?? 'after' };
}

/** The IPv4 address of a keymap reference to an IPv6 address (its low 32 bits) when it is one of the pool's, else the pool's first. */
function poolIpv4(b: Uint8Array): string {
  const a = ipv4Of(b);
  return (IPV4_POOL as readonly string[]).includes(a) ? a : IPV4_POOL[0];
}

/**
 * The same GRE header, payload, cut and keymap carried by a plain IPv4 header. The keymap keeps
 * the entries the IPv6 packet had: its references to the packet's addresses become the IPv4
 * addresses they named (the low 32 bits), and the header takes those addresses when the pool has
 * them, else the pool's first. A cut before GRE cuts at its start.
 */
function asIpv4(c: GreCase, l: Layout): GreCase {
  const ip: Ipv4Header = {
    family: 4, version: 4, ihl: 'auto', tos: 0, totalLength: 'auto', id: 0, reservedFlag: false, df: false, mf: false,
    fragmentOffset: 0, ttl: 64, protocol: 'auto', checksum: 'auto', src: poolIpv4(l.src), dst: poolIpv4(l.dst), options: [],
  };
  const named = (a: AddressRef): AddressRef => (a === 'packet-src' ? ipv4Of(l.src) : a === 'packet-dst' ? ipv4Of(l.dst) : a);
  const keymap = c.keymap.map((e): KeymapSpec => ({ ...e, src: named(e.src), dst: named(e.dst) }));
  const truncate = c.truncate && { ...c.truncate, from: 'gre' as const, keep: Math.max(0, l.datagramLength - l.greOffset) };
  return { ...c, ip, ext: [], truncate, keymap };
}

/**
 * The case without extension header `i`, its bytes taken out (a cut inside it ends the datagram
 * where it started) or, with `sameLength`, a cut inside it left where it was (the bytes after it
 * move up). An explicit next header it had moves to the header before it (or the IP header) when
 * that one's is 'auto', so the walk still ends as it did; an explicit payload length other than 0
 * keeps its distance to the real one.
 */
function withoutExt(c: GreCase, l: Layout, i: number, sameLength: boolean): GreCase {
  const h = c.ext[i]!;
  const ext = c.ext.filter((_, j) => j !== i);
  let ip = c.ip as Ipv6Header;
  if (h.nextHeader !== 'auto') {
    if (i === 0) {
      if (ip.nextHeader === 'auto') ip = { ...ip, nextHeader: h.nextHeader };
    } else if (ext[i - 1]!.nextHeader === 'auto') ext[i - 1] = { ...ext[i - 1]!, nextHeader: h.nextHeader };
  }
  const start = l.extOffsets[i]!;
  const size = (l.extOffsets[i + 1] ?? l.greOffset) - start;
  const truncate = sameLength ? cutAt(c, l.datagramLength, l.greOffset - size) : cutWithout(c, l, [[start, start + size]]);
  const out: GreCase = { ...c, ip, ext, truncate };
  if (ip.payloadLength === 'auto' || ip.payloadLength === 0) return out;
  const removed = l.datagramLength - layoutCase(out).datagramLength;
  return { ...out, ip: { ...ip, payloadLength: shift(ip.payloadLength, removed) } };
}

/** Each explicit length or next-header field of the IP header and the extension headers made 'auto'. */
function* autoFields(c: GreCase): Generator<GreCase> {
  const ip = c.ip;
  const explicit = (v: AutoNumber) => v !== 'auto';
  if (ip.family === 4) {
    for (const k of ['ihl', 'totalLength', 'protocol', 'checksum'] as const) if (explicit(ip[k])) yield { ...c, ip: { ...ip, [k]: 'auto' } };
  } else {
    for (const k of ['payloadLength', 'nextHeader'] as const) if (explicit(ip[k])) yield { ...c, ip: { ...ip, [k]: 'auto' } };
  }
  for (let i = 0; i < c.ext.length; i++) {
    const h = c.ext[i]!;
    const set = (x: Ipv6ExtHeader): GreCase => ({ ...c, ext: c.ext.map((e, j) => (j === i ? x : e)) });
    if (explicit(h.nextHeader)) yield set({ ...h, nextHeader: 'auto' });
    if ('length' in h && explicit(h.length)) yield set({ ...h, length: 'auto' });
  }
}
