// IPv6 receive path up to the conntrack hook, as Linux 6.18 does it: ip6_rcv_core
// (net/ipv6/ip6_input.c) checks addresses and lengths, trims, and parses a leading Hop-by-Hop
// header (ipv6_parse_hopopts, ip6_parse_tlv in net/ipv6/exthdrs.c) before PREROUTING.
import { be16, readable } from './bytes.ts';
import { R, type Decision, type Why } from './decision.ts';

const MAX_HBH_OPTS_CNT = 8; // net.ipv6.max_hbh_opts_number default (IP6_DEFAULT_MAX_HBH_OPTS_CNT)

/**
 * The bytes that exist for conntrack (40 + payload length, or as a Jumbo option says), or -1
 * when the datagram is dropped; then `d` holds the not-seen decision (L3-6, L3-6H).
 */
export function ipv6Stage(b: Uint8Array, d: Decision): number {
  const x = d.explain;
  const len = b.length;
  if (len < 40) { d.drop(R['L3-6'], x && `datagram has ${len} bytes, an IPv6 header needs 40`); return -1; }
  if (!addressesAllowed(b, d)) return -1;
  const plen = be16(b, 4, len);
  const nh = b[6]!;
  let end = len;
  // A zero payload length is left alone only when a Hop-by-Hop header may carry a Jumbo option.
  if (plen !== 0 || nh !== 0) {
    if (plen + 40 > len) { d.drop(R['L3-6'], x && `payload length ${plen} + 40 > ${len} bytes present`); return -1; }
    end = plen + 40;
  }
  if (nh === 0) end = parseHopByHop(b, end, plen, d);
  return end;
}

function isMulticast(b: Uint8Array, off: number): boolean {
  return b[off] === 0xff;
}

function isLoopback(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 15; i++) if (b[off + i] !== 0) return false;
  return b[off + 15] === 1;
}

/** RFC 4291 checks of ip6_rcv_core for a datagram that arrived on a non-loopback device. */
function addressesAllowed(b: Uint8Array, d: Decision): boolean {
  const x = d.explain;
  if (isLoopback(b, 8)) return d.drop(R['L3-6'], x && 'source is the loopback address ::1 (RFC 4291 2.5.3)');
  if (isLoopback(b, 24)) return d.drop(R['L3-6'], x && 'destination is the loopback address ::1 (RFC 4291 2.5.3)');
  if (isMulticast(b, 24)) {
    const scope = b[25]! & 0x0f;
    if (scope === 1) return d.drop(R['L3-6'], x && 'destination is interface-local multicast (RFC 4291 errata 3480)');
    if (scope === 0) return d.drop(R['L3-6'], x && 'destination is multicast with reserved scope 0 (RFC 4291 2.7)');
  }
  if (isMulticast(b, 8)) return d.drop(R['L3-6'], x && 'source is a multicast address (RFC 4291 2.7)');
  return true;
}

/** The new end of the datagram, or -1 when it is dropped (L3-6H, decided in `d`). */
function parseHopByHop(b: Uint8Array, end: number, plen: number, d: Decision): number {
  const x = d.explain;
  if (!readable(40, 8, end)) return hbhDrop(d, x && `Hop-by-Hop header needs 8 bytes, ${Math.max(0, end - 40)} present`);
  const extlen = (b[41]! + 1) * 8;
  if (!readable(40, extlen, end)) return hbhDrop(d, x && `Hop-by-Hop header length ${extlen} > ${end - 40} bytes present`);
  let off = 42;
  let left = extlen - 2;
  let padlen = 0;
  let count = 0;
  let newEnd = end;
  while (left > 0) {
    const type = b[off]!;
    if (type === 0) { // Pad1
      padlen++;
      if (padlen > 7) return hbhDrop(d, x && `more than 7 bytes of padding at byte ${off} (RFC 4942 2.1.9.5)`);
      off++; left--;
      continue;
    }
    if (left < 2) return hbhDrop(d, x && `option ${hex2(type)} at byte ${off} has no length byte`);
    const optlen = b[off + 1]! + 2;
    if (optlen > left) return hbhDrop(d, x && `option ${hex2(type)} at byte ${off} is ${optlen} bytes, ${left} left in the header`);
    if (type === 1) { // PadN
      padlen += optlen;
      if (padlen > 7) return hbhDrop(d, x && `more than 7 bytes of padding at byte ${off} (RFC 4942 2.1.9.5)`);
      for (let i = 2; i < optlen; i++) if (b[off + i] !== 0) return hbhDrop(d, x && `PadN at byte ${off} carries a non-zero byte`);
    } else {
      count++;
      if (count > MAX_HBH_OPTS_CNT) return hbhDrop(d, x && `more than ${MAX_HBH_OPTS_CNT} Hop-by-Hop options`);
      switch (type) {
        case 0x05: // Router Alert (ipv6_hop_ra)
          if (b[off + 1] !== 2) return hbhDrop(d, x && `Router Alert option at byte ${off} has length ${b[off + 1]}, not 2`);
          break;
        case 0x31: // IOAM (ipv6_hop_ioam): misaligned drops; otherwise ignored while ioam6_enabled is 0
          if ((off & 3) !== 0) return hbhDrop(d, x && `IOAM option at byte ${off} is not 4n-aligned`);
          break;
        case 0xc2: { // Jumbo Payload (ipv6_hop_jumbo, RFC 2675)
          if (b[off + 1] !== 4 || (off & 3) !== 2) return hbhDrop(d, x && `Jumbo option at byte ${off} is malformed`);
          const jumbo = ((b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!) >>> 0;
          if (jumbo <= 65535) return hbhDrop(d, x && `Jumbo payload length ${jumbo} <= 65535`);
          if (plen !== 0) return hbhDrop(d, x && 'Jumbo option with a non-zero payload length');
          if (jumbo > b.length - 40) return hbhDrop(d, x && `Jumbo payload length ${jumbo} > bytes present`);
          newEnd = jumbo + 40;
          break;
        }
        case 0x07: // CALIPSO: calipso_validate is not modelled
          return hbhDrop(d, x && `CALIPSO option at byte ${off} (not modelled; treated as dropped)`);
        default: {
          // ip6_tlvopt_unknown: the two high bits are the action (RFC 8200 section 4.2).
          const action = type >> 6;
          if (action !== 0) return hbhDrop(d, x && `unknown option ${hex2(type)} at byte ${off} with action ${action} (discard)`);
        }
      }
      padlen = 0;
    }
    off += optlen;
    left -= optlen;
  }
  return newEnd;
}

function hbhDrop(d: Decision, why: Why): number {
  d.drop(R['L3-6H'], why);
  return -1;
}

function hex2(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}
