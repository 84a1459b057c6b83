// IPv4 receive path up to the conntrack hook, as Linux 6.18 does it:
// ip_rcv_core (net/ipv4/ip_input.c) checks and trims, nf_defrag_ipv4 queues fragments,
// ipv4_get_l4proto (net/netfilter/nf_conntrack_core.c) finds GRE at IHL*4.
import { be16 } from './bytes.ts';
import { R, type Decision } from './decision.ts';

/**
 * True when the datagram reaches conntrack: then d.seenLength is the total length (the bytes
 * that exist for conntrack), d.dataoff IHL*4 and d.l4proto the protocol field. Otherwise `d`
 * holds the not-seen decision (L3-2, L3-3).
 */
export function ipv4Stage(b: Uint8Array, d: Decision): boolean {
  const x = d.explain;
  const len = b.length;
  if (len < 20) return d.drop(R['L3-2'], x && `datagram has ${len} bytes, an IPv4 header needs 20`);
  const ihl = b[0]! & 0x0f;
  if (ihl < 5) return d.drop(R['L3-2'], x && `IHL ${ihl} < 5`);
  const hlen = ihl * 4;
  if (hlen > len) return d.drop(R['L3-2'], x && `IHL ${ihl} needs ${hlen} header bytes, datagram has ${len}`);
  if (!ipv4ChecksumOk(b, hlen)) return d.drop(R['L3-2'], x && 'header checksum is wrong');
  const totLen = be16(b, 2, len);
  if (totLen > len) return d.drop(R['L3-2'], x && `total length ${totLen} > ${len} bytes present`);
  if (totLen < hlen) return d.drop(R['L3-2'], x && `total length ${totLen} < header length ${hlen}`);
  const fragOff = be16(b, 6, len);
  // ip_is_fragment: MF (0x2000) or a non-zero offset (0x1FFF); DF and the reserved bit do not count.
  if ((fragOff & 0x3fff) !== 0) {
    return d.drop(R['L3-3'], x && `fragment (MF=${(fragOff & 0x2000) !== 0 ? 1 : 0}, offset ${(fragOff & 0x1fff) * 8}) is held for reassembly`);
  }
  d.seenLength = totLen;
  d.dataoff = hlen;
  d.l4proto = b[9]!;
  return true;
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
