// For blame: the same case without one rule's feature, everything else kept (undefined when the
// case does not have it). The runner asks an implementation again with the neutralized case; if
// it now answers right, that rule's feature is what it gets wrong. Explicit fields that held the
// computed value become 'auto' first (withAutoFields), so lengths and checksums follow the edit.
import { normalizeAddress } from '../spec/address.ts';
import type { RuleId } from '../spec/rules.ts';
import { EXT_TYPE, type GreCase, type GreFlags, type Ipv4Header, type Ipv4Option, type Ipv6ExtHeader, type Ipv6Header, type Ipv6Option, type KeymapSpec } from './model.ts';
import { withAutoFields } from './_internals/autoFields.ts';
import { encodeIpv4Options } from './_internals/encodeIpv4Options.ts';
import { encodeExtHeader } from './_internals/encodeIpv6Ext.ts';
import { layoutCase, type Layout } from './_internals/layout.ts';
import { Writer } from './_internals/wire.ts';

type Neutralizer = (c: GreCase) => GreCase | undefined;

const EXT_PROTOCOLS = new Set([0, 43, 44, 51, 60]);

function v4(c: GreCase): Ipv4Header | undefined {
  return c.ip.family === 4 ? c.ip : undefined;
}

function v6(c: GreCase): Ipv6Header | undefined {
  return c.ip.family === 6 ? c.ip : undefined;
}

/**
 * The packet made to end where the IP layer trims it (`end` bytes): the datagram cut there when
 * it is longer, the trailer shortened to what the kernel keeps of it when it is shorter.
 */
function endAt(c: GreCase, l: Layout, end: number): GreCase {
  if (end < l.datagramLength) return { ...c, trailer: new Uint8Array(0), truncate: { from: 'gre', keep: end - l.greOffset, lengths: 'after' } };
  return { ...c, trailer: c.trailer.slice(0, end - l.datagramLength) };
}

/** An explicit length minus the bytes an edit removed before the end, so that it still ends where it did. */
function shift(length: number | 'auto', removed: number): number | 'auto' {
  return length === 'auto' ? 'auto' : Math.max(0, length - removed);
}

/**
 * Drops the extension headers of `kinds`, and every explicit next header that promises one of
 * them (GRE's bytes would play it). 'auto' next headers relink the rest; an explicit next header
 * of a dropped header that ends the chain (ESP, No Next Header, ...) moves to the header before
 * it, so the chain still ends where it did; an explicit payload length shrinks by the bytes removed.
 */
function dropExt(kinds: readonly Ipv6ExtHeader['kind'][]): Neutralizer {
  const types = new Set<number>(kinds.map((k) => EXT_TYPE[k]));
  const promises = (nh: number | 'auto') => nh !== 'auto' && types.has(nh);
  return (c) => {
    if (c.ip.family !== 6) return undefined;
    if (!c.ext.some((h) => kinds.includes(h.kind)) && !promises(c.ip.nextHeader) && !c.ext.some((h) => promises(h.nextHeader))) return undefined;
    const n = withAutoFields(c);
    const before = layoutCase(n);
    const h6 = n.ip as Ipv6Header;
    let ip: Ipv6Header = promises(h6.nextHeader) ? { ...h6, nextHeader: 'auto' } : h6;
    const kept: Ipv6ExtHeader[] = [];
    for (const h of n.ext) {
      const nh = promises(h.nextHeader) ? 'auto' : h.nextHeader;
      if (!kinds.includes(h.kind)) { kept.push({ ...h, nextHeader: nh }); continue; }
      if (nh === 'auto' || EXT_PROTOCOLS.has(nh)) continue;
      const prev = kept[kept.length - 1];
      if (prev === undefined) { if (ip.nextHeader === 'auto') ip = { ...ip, nextHeader: nh }; }
      else if (prev.nextHeader === 'auto') kept[kept.length - 1] = { ...prev, nextHeader: nh };
    }
    const out: GreCase = { ...n, ip, ext: kept };
    const removed = before.greOffset - layoutCase(out).greOffset;
    return { ...out, ip: { ...ip, payloadLength: ip.payloadLength === 0 ? 0 : shift(ip.payloadLength, removed) } };
  };
}

/** The chain made honest: next headers and lengths computed, the payload length too, no cut before GRE. */
function honestChain(c: GreCase): GreCase | undefined {
  const ip = v6(c);
  if (!ip) return undefined;
  const n = withAutoFields(c);
  const out: GreCase = {
    ...n,
    ip: { ...(n.ip as Ipv6Header), nextHeader: 'auto', payloadLength: 'auto' },
    ext: n.ext.map((e) => ({ ...e, nextHeader: 'auto', ...('length' in e ? { length: 'auto' } : {}) }) as Ipv6ExtHeader),
    truncate: n.truncate && n.truncate.keep < 0 ? null : n.truncate,
  };
  return sameCase(out, n) ? undefined : out;
}

/** Well-formed Hop-by-Hop options filling `n` bytes: padding up to 7 (RFC 4942), else skippable unknown options (type 0x1E, RFC 4727). */
function wellFormedOptions(n: number): Ipv6Option[] {
  const out: Ipv6Option[] = [];
  if (n === 1) return [{ kind: 'pad1' }];
  if (n <= 7) return n === 0 ? [] : [{ kind: 'tlv', type: 1, length: 'auto', data: new Uint8Array(n - 2) }];
  let left = n;
  while (left >= 2) {
    const size = Math.min(left, 257);
    out.push({ kind: 'tlv', type: 0x1e, length: 'auto', data: new Uint8Array(size - 2) });
    left -= size;
  }
  if (left === 1) out.push({ kind: 'pad1' });
  return out;
}

/** Full and near-miss keymap entries, as gre_keymap_lookup compares them (KM-2). */
function keymapMatches(c: GreCase): { full: boolean[]; near: boolean[] } {
  const l = layoutCase(c);
  const four = c.ip.family === 4;
  const src = four ? normalizeAddress(c.ip.src) : undefined;
  const dst = four ? normalizeAddress(c.ip.dst) : undefined;
  const full: boolean[] = [];
  const near: boolean[] = [];
  l.keymap.forEach((e) => {
    const es = normalizeAddress(e.src);
    const ed = normalizeAddress(e.dst);
    const s = src !== undefined && es === src;
    const d = dst !== undefined && ed === dst;
    const k = e.dstkey === l.callId;
    const swapped = src !== undefined && es === dst && ed === src;
    full.push(s && d && k);
    near.push(!(s && d && k) && ((s && d) || k || swapped));
  });
  return { full, near };
}

export const NEUTRALIZERS: { readonly [R in RuleId]?: (c: GreCase) => GreCase | undefined } = {
  /** A broken IPv4 header made right: version 4, IHL, total length and checksum computed, a cut kept out of the header. */
  'L3-2': (c) => {
    const ip = v4(c);
    if (!ip) return c.ip.version === 6 ? undefined : { ...withAutoFields(c), ip: { ...c.ip, version: 6 } };
    const n = withAutoFields(c);
    const h = n.ip as Ipv4Header;
    const fixed: Ipv4Header = { ...h, version: 4, ihl: 'auto', totalLength: 'auto', checksum: 'auto' };
    let truncate = n.truncate;
    if (truncate && (truncate.lengths === 'before' || layoutCase(n).datagramLength < layoutCase(n).greOffset)) {
      truncate = truncate.keep < 0 ? null : { ...truncate, lengths: 'after' };
    }
    const out = { ...n, ip: fixed, truncate };
    return sameCase(out, n) ? undefined : out;
  },
  /** No bytes past the total length: the packet ends there (the trailer goes, or what the kernel keeps of it stays). */
  'L3-2T': (c) => {
    const ip = v4(c);
    if (!ip) return undefined;
    const n = withAutoFields(c);
    const l = layoutCase(n);
    const p = l.packet;
    const tot = ((p[2] ?? 0) << 8) | (p[3] ?? 0);
    if (p.length < 20 || tot < ((p[0]! & 0xf) * 4) || tot >= p.length) return undefined;
    return endAt(n, l, tot);
  },
  /** Not a fragment: MF clear, offset 0. */
  'L3-3': (c) => {
    const ip = v4(c);
    if (!ip || (!ip.mf && ip.fragmentOffset === 0)) return undefined;
    const n = withAutoFields(c);
    return { ...n, ip: { ...(n.ip as Ipv4Header), mf: false, fragmentOffset: 0 } };
  },
  /** No IPv4 options: IHL 5 (an explicit total length shrinks by the bytes removed). */
  'L3-4': (c) => {
    const ip = v4(c);
    if (!ip || (ip.options.length === 0 && (ip.ihl === 'auto' || ip.ihl === 5))) return undefined;
    const n = withAutoFields(c);
    const h = n.ip as Ipv4Header;
    const removed = layoutCase(n).ipHeaderLength - 20;
    return { ...n, ip: { ...h, options: [], ihl: 'auto', totalLength: shift(h.totalLength, removed) } };
  },
  /** Options well-formed: the same number of bytes, all NOPs. */
  'L3-5': (c) => {
    const ip = v4(c);
    if (!ip || ip.options.every((o) => o.kind === 'nop')) return undefined;
    const n = withAutoFields(c);
    const size = encodeIpv4Options((n.ip as Ipv4Header).options).length;
    const nops: Ipv4Option[] = Array.from({ length: size }, () => ({ kind: 'nop' }));
    return { ...n, ip: { ...(n.ip as Ipv4Header), options: nops } };
  },
  /** An IPv6 header ip6_rcv_core accepts: version 6, unicast addresses, a payload length that fits. */
  'L3-6': (c) => {
    const ip = v6(c);
    if (!ip) return undefined;
    const n = withAutoFields(c);
    const h = n.ip as Ipv6Header;
    const l = layoutCase(n);
    const bad = (a: string) => a === '::1' || a.startsWith('ff');
    const src = bad(h.src) ? (h.dst === '2001:db8::1' ? '2001:db8::2' : '2001:db8::1') : h.src;
    const dst = h.dst === '::1' || /^ff[0-9a-f]?[01]:/.test(h.dst) ? (src === '2001:db8::2' ? '2001:db8::1' : '2001:db8::2') : h.dst;
    const plen = h.payloadLength !== 'auto' && 40 + h.payloadLength > l.packet.length ? 'auto' : h.payloadLength;
    let truncate = n.truncate;
    if (truncate && truncate.lengths === 'before') truncate = { ...truncate, lengths: 'after' };
    if (truncate && l.datagramLength < 40) truncate = null;
    const out: GreCase = { ...n, ip: { ...h, version: 6, src, dst, payloadLength: plen }, truncate };
    return sameCase(out, n) ? undefined : out;
  },
  /** No bytes past 40 + payload length (40 for payload length 0 without Hop-by-Hop): the packet ends there. */
  'L3-6T': (c) => {
    const ip = v6(c);
    if (!ip) return undefined;
    const n = withAutoFields(c);
    const l = layoutCase(n);
    const p = l.packet;
    if (p.length < 40) return undefined;
    const plen = (p[4]! << 8) | p[5]!;
    if (plen === 0 && p[6] === 0) return undefined;
    const end = 40 + plen;
    if (end >= p.length) return undefined;
    return endAt(n, l, end);
  },
  /** A leading Hop-by-Hop header whose options and length Linux accepts (same size). */
  'L3-6H': (c) => {
    const first = c.ext[0];
    if (c.ip.family !== 6 || first?.kind !== 'hop-by-hop') return undefined;
    const n = withAutoFields(c);
    const w = new Writer();
    encodeExtHeader(w, { ...first, length: 'auto' }, 47);
    const hbh: Ipv6ExtHeader = { kind: 'hop-by-hop', nextHeader: first.nextHeader, length: 'auto', options: wellFormedOptions(w.length - 2) };
    return { ...n, ext: [hbh, ...n.ext.slice(1)] };
  },
  /** No Fragment header (so nothing for nf_ct_frag6_gather), nor a next header that promises one. */
  'L3-7': dropExt(['fragment']),
  /** No Hop-by-Hop, Routing or Destination Options headers, nor next headers that promise one. */
  'L3-8': dropExt(['hop-by-hop', 'routing', 'destination']),
  /** No AH, nor a next header that promises one. */
  'L3-8A': dropExt(['ah']),
  /** No Fragment header, nor a next header that promises one. */
  'L3-8F': dropExt(['fragment']),
  /** No Next Header (59) replaced by what the chain would say (the next header, or GRE). */
  'L3-8N': (c) => {
    const ip = v6(c);
    if (!ip || (ip.nextHeader !== 59 && !c.ext.some((h) => h.nextHeader === 59))) return undefined;
    const n = withAutoFields(c);
    const h = n.ip as Ipv6Header;
    return {
      ...n,
      ip: h.nextHeader === 59 ? { ...h, nextHeader: 'auto' } : h,
      ext: n.ext.map((e) => (e.nextHeader === 59 ? { ...e, nextHeader: 'auto' } : e)),
    };
  },
  /** Every header readable to its second byte: the chain made honest (see honestChain). */
  'L3-8S': honestChain,
  /** A chain (or IPv4 protocol) that ends at GRE: every explicit next header computed instead. */
  'L3-8O': (c) => {
    const n = withAutoFields(c);
    const ip = n.ip;
    const explicit = ip.family === 4 ? ip.protocol !== 'auto' : ip.nextHeader !== 'auto';
    if (!explicit && n.ext.every((e) => e.nextHeader === 'auto')) return undefined;
    return {
      ...n,
      ip: ip.family === 4 ? { ...ip, protocol: 'auto' } : { ...ip, nextHeader: 'auto' },
      ext: n.ext.map((e) => ({ ...e, nextHeader: 'auto' })),
    };
  },
  /** A walk that ends inside the datagram: the chain made honest (see honestChain). */
  'L3-8E': honestChain,
  /** The whole GRE header: a cut that left fewer than 4 GRE bytes is undone. */
  'GRE-1': (c) => {
    const t = c.truncate;
    if (!t || t.from !== 'gre' || t.keep < 0 || t.keep >= 4) return undefined;
    return { ...withAutoFields(c), truncate: null };
  },
  /** Plain flags: version 2..7 becomes 0 with no other bit; version 1 loses A and the reserved bits (0x00F8); fields stay. */
  'GRE-2': (c) => {
    const f = c.gre.flags;
    const plain: GreFlags = f.version === 1
      ? { ...f, a: false, reserved: 0 }
      : { c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 };
    if (Object.keys(plain).every((k) => plain[k as keyof GreFlags] === f[k as keyof GreFlags])) return undefined;
    const n = withAutoFields(c);
    return { ...n, gre: { ...n.gre, flags: plain } };
  },
  /** Version 1 with its 8 bytes: a cut that left 4..7 GRE bytes is undone. */
  'GRE-3': (c) => {
    const t = c.truncate;
    if (c.gre.flags.version !== 1 || !t || t.from !== 'gre' || t.keep < 4 || t.keep >= 8) return undefined;
    return { ...withAutoFields(c), truncate: null };
  },
  /** Version 1 with protocol 0x880B (PPP). */
  'GRE-4': (c) => {
    if (c.gre.flags.version !== 1 || c.gre.protocol === 0x880b) return undefined;
    const n = withAutoFields(c);
    return { ...n, gre: { ...n.gre, protocol: 0x880b } };
  },
  /** An empty keymap. */
  'GRE-6': (c) => (c.keymap.length === 0 ? undefined : { ...c, keymap: [] }),
  /** GRE cut after its byte 7 (header and payload alike). */
  'GRE-7': (c) => {
    const n = withAutoFields(c);
    const l = layoutCase(n);
    if (l.datagramLength - l.greOffset <= 8) return undefined;
    return { ...n, truncate: { from: 'gre', keep: 8, lengths: 'after' } };
  },
  /** Keymap entries that almost match the packet (KM-2) removed; full matches and strangers stay. */
  'KM-2': (c) => {
    if (c.keymap.length === 0) return undefined;
    const { near } = keymapMatches(c);
    if (!near.some(Boolean)) return undefined;
    return { ...c, keymap: c.keymap.filter((_, i) => !near[i]) };
  },
  /** Only the first of several matching entries kept (KM-3). */
  'KM-3': (c) => {
    if (c.keymap.length < 2) return undefined;
    const { full } = keymapMatches(c);
    const first = full.indexOf(true);
    if (first < 0 || full.lastIndexOf(true) === first) return undefined;
    const keymap: KeymapSpec[] = c.keymap.filter((_, i) => !full[i] || i === first);
    return { ...c, keymap };
  },
};

function sameCase(a: GreCase, b: GreCase): boolean {
  const x = layoutCase(a);
  const y = layoutCase(b);
  return x.packet.length === y.packet.length && x.packet.every((v, i) => v === y.packet[i]) && JSON.stringify(x.keymap) === JSON.stringify(y.keymap);
}
