// Hand-written keymap vectors (GRE-6, KM-2, KM-3): an entry matches on family, source,
// destination and dstkey; the first match in insertion order wins. And reply tuples (CT-1).
import type { Vector } from './types.ts';
import { A, A6, A6H, B, B6, B6H, INVALID, K1_ORIG, tracked } from './types.ts';

const PPP = (callId: string) => `3001880b0000${callId}00000001`;
const ip6 = (src: string, dst: string, rest: string) => `60000000000c2f40${src}${dst}${rest}`;

export const KEYMAP: readonly Vector[] = [
  // KM-2: near misses.
  { id: 'keymap-swapped-addresses-no-match', rules: ['KM-2', 'GRE-6'], keymap: [K1_ORIG],
    packet: '4500002012340000402fe477c0000202c00002013001880b00000b0b00000001', expect: tracked(B, A, 0, 0x0b0b),
    note: 'B to A with the call id of the A-to-B entry' },
  { id: 'keymap-entry-srckey-not-compared', rules: ['KM-2', 'GRE-6'], keymap: [K1_ORIG],
    packet: '4500002012340000402fe477c0000201c00002023001880b00000a0a00000001', expect: tracked(A, B, 0, 0x0a0a),
    note: 'the call id equals the entry\'s srckey 0x0a0a, not its dstkey 0x0b0b' },
  { id: 'keymap-ipv6-never-matches-ipv4-entry', rules: ['KM-2', 'GRE-6', 'GRE-8'], keymap: [K1_ORIG],
    packet: ip6(A6H, B6H, PPP('0b0b')), expect: tracked(A6, B6, 0, 0x0b0b) },
  { id: 'keymap-ipv6-with-ipv4-address-bytes-no-match', rules: ['KM-2', 'GRE-6', 'GRE-8'], keymap: [K1_ORIG],
    packet: ip6('c0000201000000000000000000000000', 'c0000202000000000000000000000000', PPP('0b0b')),
    expect: tracked('c000:201::', 'c000:202::', 0, 0x0b0b),
    note: 'the 16 address bytes equal those of the IPv4 entry (zero-padded); the family differs' },
  { id: 'keymap-ipv6-v4-mapped-no-match', rules: ['KM-2', 'GRE-6', 'GRE-8'], keymap: [K1_ORIG],
    packet: ip6('00000000000000000000ffffc0000201', '00000000000000000000ffffc0000202', PPP('0b0b')),
    expect: tracked('::ffff:192.0.2.1', '::ffff:192.0.2.2', 0, 0x0b0b) },

  // KM-3: the first match, not the first entry.
  { id: 'keymap-first-matching-entry-not-first-entry', rules: ['KM-2', 'KM-3', 'GRE-6'],
    keymap: [
      { src: A, dst: B, dstkey: 0x0b0c, srckey: 0x1111 },
      { src: A, dst: B, dstkey: 0x0b0b, srckey: 0x2222 },
      { src: A, dst: B, dstkey: 0x0b0b, srckey: 0x3333 },
    ],
    packet: '4500002012340000402fe477c0000201c00002023001880b00000b0b00000001', expect: tracked(A, B, 0x2222, 0x0b0b) },

  // Only v1 PPP with 8 bytes or more looks the keymap up.
  { id: 'keymap-not-consulted-for-short-v1', rules: ['GRE-3'], keymap: [K1_ORIG],
    packet: '4500001b12340000402fe47cc0000201c00002023001880b000b0b', expect: tracked(A, B, 0, 0),
    note: 'seven GRE bytes: the call id is not complete' },
  { id: 'keymap-not-consulted-for-v1-non-ppp', rules: ['GRE-4'], keymap: [K1_ORIG],
    packet: '4500002012340000402fe477c0000201c00002023001080000000b0b00000001', expect: INVALID },

  // CT-1: the reply tuple.
  { id: 'reply-of-b-to-a-call-id', rules: ['GRE-5', 'CT-1'], source: 'reference R2, second datagram alone',
    packet: '4500002012340000402fe477c0000202c00002013001880b0000123400000001', expect: tracked(B, A, 0, 0x1234),
    expectReply: { src: A, dst: B, proto: 47, srckey: 0x1234, dstkey: 0 },
    note: 'this reply differs from the tuple of A to B call id 0x4321, so R2 saw two entries (CT-2)' },
  { id: 'reply-of-call-id-zero-is-symmetric', rules: ['GRE-5', 'CT-1'], source: 'reference R3, one datagram',
    packet: '4500002012340000402fe477c0000201c00002023001880b0000000000000001', expect: tracked(A, B, 0, 0),
    expectReply: { src: B, dst: A, proto: 47, srckey: 0, dstkey: 0 } },
];
