// Neutralizers of the IPv6 rules: ip6_rcv_core (L3-6, L3-6T, net/ipv6/ip6_input.c), the leading
// Hop-by-Hop parse (L3-6H, ip6_parse_tlv), nf_ct_frag6_gather (L3-7) and the ipv6_skip_exthdr
// walk (L3-8*, net/ipv6/exthdrs_core.c); L3-8O also covers the IPv4 protocol field.
import { EXT_TYPE, type GreCase, type Ipv6ExtHeader, type Ipv6Header, type Ipv6Option } from '../model.ts';
import { withAutoFields } from './autoFields.ts';
import { encodeExtHeader } from './encodeIpv6Ext.ts';
import { layoutCase } from './layout.ts';
import { cutWithout, endAt, sameCase, shift, v6, type Neutralizer } from './neutralizeCommon.ts';
import { Writer } from './wire.ts';

const EXT_PROTOCOLS = new Set([0, 43, 44, 51, 60]);

export function acceptedIpv6Header(c: GreCase): GreCase | undefined {
  if (!v6(c)) return undefined;
  const n = withAutoFields(c);
  const h = n.ip as Ipv6Header;
  const l = layoutCase(n);
  // RFC 4291 2.5.3 loopback, 2.7 multicast (any scope as source, scope 0 or 1 as destination).
  const bad = (a: string) => a === '::1' || a.startsWith('ff');
  const src = bad(h.src) ? (h.dst === '2001:db8::1' ? '2001:db8::2' : '2001:db8::1') : h.src;
  const dst = h.dst === '::1' || /^ff[0-9a-f]?[01]:/.test(h.dst) ? (src === '2001:db8::2' ? '2001:db8::1' : '2001:db8::2') : h.dst;
  const plen = h.payloadLength !== 'auto' && 40 + h.payloadLength > l.packet.length ? 'auto' : h.payloadLength;
  let truncate = n.truncate;
  if (truncate && truncate.lengths === 'before') truncate = { ...truncate, lengths: 'after' };
  if (truncate && l.datagramLength < 40) truncate = null;
  const out: GreCase = { ...n, ip: { ...h, version: 6, src, dst, payloadLength: plen }, truncate };
  return sameCase(out, n) ? undefined : out;
}

export function endAtPayloadLength(c: GreCase): GreCase | undefined {
  if (!v6(c)) return undefined;
  const n = withAutoFields(c);
  const l = layoutCase(n);
  const p = l.packet;
  if (p.length < 40) return undefined;
  const plen = (p[4]! << 8) | p[5]!;
  if (plen === 0 && p[6] === 0) return undefined; // a Jumbo candidate: not trimmed
  const end = 40 + plen;
  if (end >= p.length) return undefined;
  return endAt(n, l, end);
}

/** Well-formed Hop-by-Hop options filling `n` bytes: padding up to 7 (RFC 4942 2.1.9.5), else skippable unknown options (type 0x1E, RFC 4727). */
function wellFormedOptions(n: number): Ipv6Option[] {
  if (n === 1) return [{ kind: 'pad1' }];
  if (n <= 7) return n === 0 ? [] : [{ kind: 'tlv', type: 1, length: 'auto', data: new Uint8Array(n - 2) }];
  const out: Ipv6Option[] = [];
  let left = n;
  while (left >= 2) {
    const size = Math.min(left, 257);
    out.push({ kind: 'tlv', type: 0x1e, length: 'auto', data: new Uint8Array(size - 2) });
    left -= size;
  }
  if (left === 1) out.push({ kind: 'pad1' });
  return out;
}

export function acceptedHopByHop(c: GreCase): GreCase | undefined {
  const first = c.ext[0];
  if (c.ip.family !== 6 || first?.kind !== 'hop-by-hop') return undefined;
  const n = withAutoFields(c);
  const w = new Writer();
  encodeExtHeader(w, { ...first, length: 'auto' }, 47);
  const hbh: Ipv6ExtHeader = { kind: 'hop-by-hop', nextHeader: first.nextHeader, length: 'auto', options: wellFormedOptions(w.length - 2) };
  return { ...n, ext: [hbh, ...n.ext.slice(1)] };
}

/**
 * Drops the extension headers of `kinds`, and every explicit next header that promises one of
 * them (GRE's bytes would play it). 'auto' next headers relink the rest; an explicit next header
 * of a dropped header that ends the chain (ESP, No Next Header, ...) moves to the header before
 * it, so the chain still ends where it did; an explicit payload length shrinks by the bytes removed;
 * a cut keeps its place among the bytes that stay.
 */
export function dropExt(kinds: readonly Ipv6ExtHeader['kind'][]): Neutralizer {
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
    // The dropped headers' bytes go; a cut keeps the bytes around them (inside one, it ends where that header started).
    const gone = n.ext.flatMap((h, i) => kinds.includes(h.kind) ? [[before.extOffsets[i]!, before.extOffsets[i + 1] ?? before.greOffset] as const] : []);
    const out: GreCase = { ...n, ip, ext: kept, truncate: cutWithout(n, before, gone) };
    const removed = before.datagramLength - layoutCase(out).datagramLength;
    return { ...out, ip: { ...ip, payloadLength: ip.payloadLength === 0 ? 0 : shift(ip.payloadLength, removed) } };
  };
}

export function noNoNextHeader(c: GreCase): GreCase | undefined {
  const ip = v6(c);
  if (!ip || (ip.nextHeader !== 59 && !c.ext.some((h) => h.nextHeader === 59))) return undefined;
  const n = withAutoFields(c);
  const h = n.ip as Ipv6Header;
  return {
    ...n,
    ip: h.nextHeader === 59 ? { ...h, nextHeader: 'auto' } : h,
    ext: n.ext.map((e) => (e.nextHeader === 59 ? { ...e, nextHeader: 'auto' } : e)),
  };
}

/** The chain made honest: next headers and lengths computed, the payload length too, no cut before GRE. */
export function honestChain(c: GreCase): GreCase | undefined {
  if (!v6(c)) return undefined;
  const n = withAutoFields(c);
  const out: GreCase = {
    ...n,
    ip: { ...(n.ip as Ipv6Header), nextHeader: 'auto', payloadLength: 'auto' },
    ext: n.ext.map((e) => ({ ...e, nextHeader: 'auto', ...('length' in e ? { length: 'auto' } : {}) }) as Ipv6ExtHeader),
    truncate: n.truncate && n.truncate.keep < 0 ? null : n.truncate,
  };
  return sameCase(out, n) ? undefined : out;
}

export function endsAtGre(c: GreCase): GreCase | undefined {
  const n = withAutoFields(c);
  const ip = n.ip;
  const explicit = ip.family === 4 ? ip.protocol !== 'auto' : ip.nextHeader !== 'auto';
  if (!explicit && n.ext.every((e) => e.nextHeader === 'auto')) return undefined;
  return {
    ...n,
    ip: ip.family === 4 ? { ...ip, protocol: 'auto' } : { ...ip, nextHeader: 'auto' },
    ext: n.ext.map((e) => ({ ...e, nextHeader: 'auto' })),
  };
}
