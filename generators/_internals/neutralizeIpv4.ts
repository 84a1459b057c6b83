// Neutralizers of the IPv4 rules: ip_rcv_core's checks and trim (L3-2, L3-2T, net/ipv4/ip_input.c),
// nf_defrag_ipv4 (L3-3), options skipped by length (L3-4) and checked after PREROUTING (L3-5,
// ip_options_compile).
import type { GreCase, Ipv4Header, Ipv4Option } from '../model.ts';
import { withAutoFields } from './autoFields.ts';
import { encodeIpv4Options } from './encodeIpv4Options.ts';
import { layoutCase } from './layout.ts';
import { endAt, sameCase, shift, v4 } from './neutralizeCommon.ts';

export function validIpHeader(c: GreCase): GreCase | undefined {
  const n = withAutoFields(c);
  if (n.ip.family === 6) return n.ip.version === 6 ? undefined : { ...n, ip: { ...n.ip, version: 6 } };
  const l = layoutCase(n);
  let truncate = n.truncate;
  if (truncate && (truncate.lengths === 'before' || l.datagramLength < l.greOffset)) {
    truncate = truncate.keep < 0 ? null : { ...truncate, lengths: 'after' };
  }
  const out: GreCase = { ...n, ip: { ...n.ip, version: 4, ihl: 'auto', totalLength: 'auto', checksum: 'auto' }, truncate };
  return sameCase(out, n) ? undefined : out;
}

export function endAtTotalLength(c: GreCase): GreCase | undefined {
  if (!v4(c)) return undefined;
  const n = withAutoFields(c);
  const l = layoutCase(n);
  const p = l.packet;
  const tot = ((p[2] ?? 0) << 8) | (p[3] ?? 0);
  if (p.length < 20 || tot < (p[0]! & 0xf) * 4 || tot >= p.length) return undefined;
  return endAt(n, l, tot);
}

export function notAFragment(c: GreCase): GreCase | undefined {
  const ip = v4(c);
  if (!ip || (!ip.mf && ip.fragmentOffset === 0)) return undefined;
  const n = withAutoFields(c);
  return { ...n, ip: { ...(n.ip as Ipv4Header), mf: false, fragmentOffset: 0 } };
}

export function noOptions(c: GreCase): GreCase | undefined {
  const ip = v4(c);
  if (!ip || (ip.options.length === 0 && (ip.ihl === 'auto' || ip.ihl === 5))) return undefined;
  const n = withAutoFields(c);
  const h = n.ip as Ipv4Header;
  const removed = layoutCase(n).ipHeaderLength - 20;
  return { ...n, ip: { ...h, options: [], ihl: 'auto', totalLength: shift(h.totalLength, removed) } };
}

export function nopOptions(c: GreCase): GreCase | undefined {
  const ip = v4(c);
  if (!ip || ip.options.every((o) => o.kind === 'nop')) return undefined;
  const n = withAutoFields(c);
  const size = encodeIpv4Options((n.ip as Ipv4Header).options).length;
  const nops: Ipv4Option[] = Array.from({ length: size }, () => ({ kind: 'nop' }));
  return { ...n, ip: { ...(n.ip as Ipv4Header), options: nops } };
}
