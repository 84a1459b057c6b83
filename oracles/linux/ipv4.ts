// IPv4 receive path up to the conntrack hook, as Linux 6.18 does it:
// ip_rcv_core (net/ipv4/ip_input.c) checks and trims, nf_defrag_ipv4 queues fragments,
// ipv4_get_l4proto (net/netfilter/nf_conntrack_core.c) finds GRE at IHL*4.
import { be16 } from './bytes.ts';

export type Ipv4Stage =
  | { readonly kind: 'drop'; readonly rule: 'L3-2' | 'L3-3'; readonly reason: string }
  | {
      readonly kind: 'ok';
      /** Bytes that exist for conntrack: the total length. */
      readonly end: number;
      readonly dataoff: number;
      readonly protocol: number;
      readonly trimmed: boolean;
    };

export function ipv4Stage(b: Uint8Array): Ipv4Stage {
  const len = b.length;
  if (len < 20) return { kind: 'drop', rule: 'L3-2', reason: `datagram has ${len} bytes, an IPv4 header needs 20` };
  const ihl = b[0]! & 0x0f;
  if (ihl < 5) return { kind: 'drop', rule: 'L3-2', reason: `IHL ${ihl} < 5` };
  const hlen = ihl * 4;
  if (hlen > len) return { kind: 'drop', rule: 'L3-2', reason: `IHL ${ihl} needs ${hlen} header bytes, datagram has ${len}` };
  if (!ipv4ChecksumOk(b, hlen)) return { kind: 'drop', rule: 'L3-2', reason: 'header checksum is wrong' };
  const totLen = be16(b, 2, len)!;
  if (totLen > len) return { kind: 'drop', rule: 'L3-2', reason: `total length ${totLen} > ${len} bytes present` };
  if (totLen < hlen) return { kind: 'drop', rule: 'L3-2', reason: `total length ${totLen} < header length ${hlen}` };
  const fragOff = be16(b, 6, len)!;
  // ip_is_fragment: MF (0x2000) or a non-zero offset (0x1FFF); DF and the reserved bit do not count.
  if ((fragOff & 0x3fff) !== 0) {
    const mf = (fragOff & 0x2000) !== 0;
    const off = (fragOff & 0x1fff) * 8;
    return { kind: 'drop', rule: 'L3-3', reason: `fragment (MF=${mf ? 1 : 0}, offset ${off}) is held for reassembly` };
  }
  return { kind: 'ok', end: totLen, dataoff: hlen, protocol: b[9]!, trimmed: totLen < len };
}

/** ip_fast_csum over the header: the one's complement sum of all 16-bit words must be 0xFFFF. */
export function ipv4ChecksumOk(b: Uint8Array, hlen: number): boolean {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** The checksum value that makes a header valid (RFC 791 section 3.1), for writers. */
export function ipv4Checksum(b: Uint8Array, hlen: number): number {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) if (i !== 10) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
