// Hand-written vectors for ipv6_skip_exthdr as ipv6_get_l4proto uses it: skipped headers (L3-8),
// AH lengths (L3-8A), No Next Header (L3-8N), unreadable headers (L3-8S), walks ending at another
// protocol (L3-8O) and walks ending past the datagram (L3-8E).
import type { Vector } from './types.ts';
import { A6, A6H, B6, B6H, INVALID, generic, tracked } from './types.ts';

const v6 = (lenNh: string, rest: string) => `60000000${lenNh}40${A6H}${B6H}${rest}`;
const PPP = (callId: string) => `3001880b0000${callId}00000001`;

export const IPV6_WALK: readonly Vector[] = [
  // L3-8
  { id: 'ipv6-hbh-routing-ah-destopts-chain-skipped', rules: ['L3-8', 'L3-8A'],
    packet: v6('003000', '2b00010400000000' + '3300000000000000' + '3c01000000000100' + '00000001' + '2f00010400000000' + PPP('9898')),
    expect: tracked(A6, B6, 0, 0x9898),
    note: 'Hop-by-Hop 8, Routing 8, AH 12, Destination Options 8: GRE at byte 76' },
  { id: 'ipv6-hop-by-hop-not-first-is-not-validated', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('001c3c', '0000010400000000' + '2f00010400000001' + PPP('9999')), expect: tracked(A6, B6, 0, 0x9999),
    note: 'only a Hop-by-Hop header right after the IPv6 header is parsed before PREROUTING; this one has a non-zero PadN and is only skipped' },
  { id: 'ipv6-routing-header-24-bytes-skipped', rules: ['L3-8'],
    packet: v6('00242b', '2f02000000000000' + '00'.repeat(16) + PPP('9a9a')), expect: tracked(A6, B6, 0, 0x9a9a) },
  { id: 'ipv6-two-destination-options-headers-skipped', rules: ['L3-8'],
    packet: v6('001c3c', '3c00010400000000' + '2f00010400000000' + PPP('9b9b')), expect: tracked(A6, B6, 0, 0x9b9b) },

  // L3-8A
  { id: 'ipv6-ah-length-0-is-8-bytes', rules: ['L3-8A'],
    packet: v6('001433', '2f00000000000100' + PPP('9c9c')), expect: tracked(A6, B6, 0, 0x9c9c) },
  { id: 'ipv6-ah-length-1-is-12-bytes', rules: ['L3-8A'],
    packet: v6('001833', '2f01000000000100' + '00000001' + PPP('9d9d')), expect: tracked(A6, B6, 0, 0x9d9d),
    note: 'not a multiple of 8 as RFC 4302 wants for IPv6, but the walk does not check' },

  // L3-8N
  { id: 'ipv6-no-next-header-after-ah-invalid', rules: ['L3-8A', 'L3-8N'],
    packet: v6('001833', '3b01000000000100' + '00000001' + PPP('9e9e')), expect: INVALID },

  // L3-8S
  { id: 'ipv6-routing-header-one-byte-after-destopts-invalid', rules: ['L3-8', 'L3-8S'],
    packet: v6('00093c', '2b00010400000000' + '2f'), expect: INVALID },

  // L3-8O
  { id: 'ipv6-destopts-then-esp-generic-tuple', rules: ['L3-8', 'L3-8O'],
    packet: v6('001c3c', '3200010400000000' + '0000010000000001' + PPP('9f9f')), expect: generic(A6, B6, 50) },

  // L3-8E
  { id: 'ipv6-ah-length-255-past-end-keys-zero', rules: ['L3-8A', 'L3-8E', 'GRE-1'],
    packet: v6('001433', '2fff000000000100' + PPP('a0a0')), expect: tracked(A6, B6, 0, 0),
    note: 'AH of (255+2)*4 = 1028 bytes: GRE would start far past the 60-byte datagram and reads nothing' },
  { id: 'ipv6-walk-ending-exactly-at-end-keys-zero', rules: ['L3-8', 'GRE-1'], boundaryOf: ['L3-8E'],
    packet: v6('00083c', '2f00010400000000'), expect: tracked(A6, B6, 0, 0) },
];
