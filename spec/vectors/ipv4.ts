// Hand-written IPv4 vectors: the IP layer (L3-2), trimming (L3-2T), fragments (L3-3), options
// skipped unread (L3-4) or rejected after PREROUTING (L3-5), and the tuple's addresses (L3-9).
// Expectations reasoned from ip_rcv_core, ip_is_fragment, ipv4_get_l4proto and ip_options_compile.
import type { Vector } from './types.ts';
import { A, B, NOT_SEEN, tracked, unconfirmed } from './types.ts';

export const IPV4: readonly Vector[] = [
  // L3-2: dropped by ip_rcv_core before any hook.
  { id: 'ipv4-empty-datagram-dropped', rules: ['L3-2'], packet: '', expect: NOT_SEEN },
  { id: 'ipv4-19-bytes-short-of-a-header-dropped', rules: ['L3-2'],
    packet: '4500001412340000402fe483c0000201c00002', expect: NOT_SEEN },
  { id: 'ipv4-ihl-6-with-20-bytes-present-dropped', rules: ['L3-2'],
    packet: '4600001412340000402fe383c0000201c0000202', expect: NOT_SEEN,
    note: 'IHL 6 asks for 24 header bytes, only 20 exist (pskb_may_pull fails)' },
  { id: 'ipv4-total-length-below-ihl-15-dropped', rules: ['L3-2'],
    packet: '4f00002812340000402fc65cc0000201c0000202' + '01'.repeat(39) + '00', expect: NOT_SEEN,
    note: 'checksum right over 60 header bytes, but total length 40 < IHL*4 = 60' },
  { id: 'ipv4-version-5-dropped', rules: ['L3-2'],
    packet: '5500002012340000402fd477c0000201c00002023001880b0000515100000001', expect: NOT_SEEN },
  { id: 'ipv4-checksum-covers-options', rules: ['L3-2'],
    packet: '4600002412340000402fe373c0000201c0000202010101013001880b0000525200000001', expect: NOT_SEEN,
    note: 'the checksum is right for the first 20 bytes only; the four NOP option bytes break it' },

  // L3-2T: bytes past the total length do not exist for conntrack.
  { id: 'ipv4-ethernet-padding-not-read-as-gre', rules: ['L3-2T', 'GRE-3'],
    packet: '4500001b12340000402fe47cc0000201c000020230010800000012' + '00'.repeat(19), expect: tracked(A, B, 0, 0),
    note: 'G08 padded to the 46-byte Ethernet minimum: read untrimmed it would be 8+ bytes of v1 with protocol 0x0800, invalid' },
  { id: 'ipv4-trailing-bytes-past-total-length-ignored', rules: ['L3-2T', 'GRE-5'],
    packet: '4500002012340000402fe477c0000201c00002023001880b0000432100000001ffffffff', expect: tracked(A, B, 0, 0x4321) },
  { id: 'ipv4-total-length-cuts-the-call-id', rules: ['L3-2T', 'GRE-3'],
    packet: '4500001a12340000402fe47dc0000201c00002023001880b0000432100000001', expect: tracked(A, B, 0, 0),
    note: 'total length 26 leaves 6 GRE bytes; the call id 0x4321 lies past it' },

  // L3-3: fragments are held by nf_defrag_ipv4; MF or a non-zero offset, DF and the reserved bit do not count.
  { id: 'ipv4-middle-fragment-held', rules: ['L3-3'],
    packet: '4500002012342001402fc476c0000201c00002023001880b00000b0b00000001', expect: NOT_SEEN },
  { id: 'ipv4-largest-offset-fragment-held', rules: ['L3-3'],
    packet: '4500002012341fff402fc478c0000201c00002023001880b00000b0b00000001', expect: NOT_SEEN },
  { id: 'ipv4-df-with-mf-still-a-fragment', rules: ['L3-3'],
    packet: '4500002012346000402f8477c0000201c00002023001880b00000b0b00000001', expect: NOT_SEEN },
  { id: 'ipv4-reserved-bit-with-offset-still-a-fragment', rules: ['L3-3'],
    packet: '4500002012348001402f6476c0000201c00002023001880b00000b0b00000001', expect: NOT_SEEN },
  { id: 'ipv4-df-and-reserved-bit-not-a-fragment', rules: ['GRE-5'], boundaryOf: ['L3-3'],
    packet: '450000201234c000402f2477c0000201c00002023001880b00000c0c00000001', expect: tracked(A, B, 0, 0x0c0c) },
  { id: 'ipv4-first-fragment-alone-held', rules: ['L3-3'], source: 'reference L12, first datagram alone',
    packet: '4500001c10032000402fc6acc0000201c00002023001880b00000c0c', expect: NOT_SEEN },

  // L3-4 / L3-5: GRE starts at IHL*4 whatever the options say; bad options only stop the confirm.
  { id: 'ipv4-nop-options-v0-keys-zero', rules: ['L3-4', 'GRE-2'],
    packet: '4600001c12340000402fe179c0000201c00002020101010100000800', expect: tracked(A, B, 0, 0) },
  { id: 'ipv4-record-route-option-skipped', rules: ['L3-4'], boundaryOf: ['L3-5'],
    packet: '4700002812340000402fd768c0000201c000020207070400000000003001880b00002a2a00000001', expect: tracked(A, B, 0, 0x2a2a),
    note: 'Record Route, length 7, pointer 4 (room for one address), then EOL' },
  { id: 'ipv4-router-alert-option-skipped', rules: ['L3-4'], boundaryOf: ['L3-5'],
    packet: '4600002412340000402f4f6fc0000201c0000202940400003001880b00002b2b00000001', expect: tracked(A, B, 0, 0x2b2b) },
  { id: 'ipv4-bytes-after-end-of-options-ignored', rules: ['L3-4'], boundaryOf: ['L3-5'],
    packet: '4600002412340000402fe242c0000201c0000202003001013001880b00002c2c00000001', expect: tracked(A, B, 0, 0x2c2c),
    note: 'EOL first: the bytes after it (an option of length 1 if parsed) are padding, not an error' },
  { id: 'ipv4-option-length-0-built-unconfirmed', rules: ['L3-4', 'L3-5'],
    packet: '4600002412340000402fb272c0000201c0000202300001013001880b00002d2d00000001', expect: unconfirmed(A, B, 0, 0x2d2d) },
  { id: 'ipv4-option-longer-than-options-built-unconfirmed', rules: ['L3-4', 'L3-5'],
    packet: '4600002412340000402f9a67c0000201c0000202440c05003001880b00002e2e00000001', expect: unconfirmed(A, B, 0, 0x2e2e),
    note: 'a Timestamp option claiming 12 bytes in a 4-byte option area' },
  { id: 'ipv4-loose-source-route-built-unconfirmed', rules: ['L3-4', 'L3-5'],
    packet: '4700002812340000402f57a6c0000201c0000202830704c0000203003001880b00002f2f00000001', expect: unconfirmed(A, B, 0, 0x2f2f),
    note: 'well formed, but a source-routed datagram is dropped by ip_rcv_options (accept_source_route is 0 in conf/all by default)' },
  { id: 'ipv4-router-alert-length-2-built-unconfirmed', rules: ['L3-4', 'L3-5'],
    packet: '4600002412340000402f4e70c0000201c0000202940201013001880b0000303000000001', expect: unconfirmed(A, B, 0, 0x3030),
    note: 'Router Alert needs 4 bytes' },

  // L3-9: the tuple takes the header's addresses.
  { id: 'ipv4-tuple-takes-header-addresses', rules: ['L3-9', 'GRE-5'],
    packet: '4500002012340000402f0237c6336407cb0071093001880b0000313100000001',
    expect: tracked('198.51.100.7', '203.0.113.9', 0, 0x3131) },
];
