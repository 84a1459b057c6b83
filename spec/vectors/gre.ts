// Hand-written vectors for gre_pkt_to_tuple: short headers (GRE-1), the version mask (GRE-2),
// short v1 (GRE-3), v1 non-PPP (GRE-4), the call id (GRE-5), bytes past 7 (GRE-7), IPv6 (GRE-8).
// Lying flags: the kernel reads bytes 6-7 of a v1 header whatever C, K, S, R and A say.
import type { Vector } from './types.ts';
import { A, A6, A6H, B, B6, B6H, INVALID, tracked } from './types.ts';

const v6 = (lenNh: string, rest: string) => `60000000${lenNh}40${A6H}${B6H}${rest}`;

export const GRE: readonly Vector[] = [
  // GRE-1
  { id: 'one-gre-byte-keys-zero', rules: ['GRE-1'],
    packet: '4500001512340000402fe482c0000201c000020230', expect: tracked(A, B, 0, 0) },
  { id: 'ipv6-three-gre-bytes-keys-zero', rules: ['GRE-1', 'GRE-8'],
    packet: v6('00032f', '300188'), expect: tracked(A6, B6, 0, 0) },

  // GRE-2: version = flags & 7; anything but 1 is 0/0.
  { id: 'version-3-keys-zero', rules: ['GRE-2'],
    packet: '4500002012340000402fe477c0000201c00002023003880b0000432100000001', expect: tracked(A, B, 0, 0) },
  { id: 'version-4-keys-zero', rules: ['GRE-2'],
    packet: '4500002012340000402fe477c0000201c00002023004880b0000432100000001', expect: tracked(A, B, 0, 0) },
  { id: 'version-5-keys-zero', rules: ['GRE-2'],
    packet: '4500002012340000402fe477c0000201c00002023005880b0000432100000001', expect: tracked(A, B, 0, 0) },
  { id: 'version-6-keys-zero', rules: ['GRE-2'],
    packet: '4500002012340000402fe477c0000201c00002023006880b0000432100000001', expect: tracked(A, B, 0, 0) },
  { id: 'v0-checksum-key-sequence-ignored', rules: ['GRE-2'],
    packet: '4500002412340000402fe473c0000201c0000202b0000800123400000000432100000007', expect: tracked(A, B, 0, 0),
    note: 'C, K and S set with all three fields present: version 0, so none is read' },
  { id: 'v0-checksum-bit-without-checksum-bytes', rules: ['GRE-2'],
    packet: '4500001812340000402fe47fc0000201c000020280000800', expect: tracked(A, B, 0, 0) },
  { id: 'recursion-and-flag-bits-are-not-the-version', rules: ['GRE-2'],
    packet: '4500002012340000402fe477c0000201c00002020778880b0000432100000001', expect: tracked(A, B, 0, 0),
    note: 'flags 0x0778: recursion 7 and the five reserved flag bits set, version 0' },
  { id: 'ipv6-keyed-v0-keys-zero', rules: ['GRE-2', 'GRE-8'],
    packet: v6('00082f', '2000080000000b0b'), expect: tracked(A6, B6, 0, 0) },

  // GRE-3: v1 with 4 to 7 bytes, protocol not checked.
  { id: 'v1-four-bytes-protocol-0-keys-zero', rules: ['GRE-3'],
    packet: '4500001812340000402fe47fc0000201c000020230010000', expect: tracked(A, B, 0, 0) },
  { id: 'v1-five-gre-bytes-keys-zero', rules: ['GRE-3'],
    packet: '4500001912340000402fe47ec0000201c00002023001880b00', expect: tracked(A, B, 0, 0) },
  { id: 'v1-six-gre-bytes-non-ppp-keys-zero', rules: ['GRE-3'],
    packet: '4500001a12340000402fe47dc0000201c0000202300108000000', expect: tracked(A, B, 0, 0) },

  // GRE-4: v1, 8 bytes or more, protocol other than 0x880B.
  { id: 'v1-protocol-0-invalid', rules: ['GRE-4'],
    packet: '4500001c12340000402fe47bc0000201c00002023001000000004321', expect: INVALID },
  { id: 'v1-exactly-eight-bytes-non-ppp-invalid', rules: ['GRE-4'],
    packet: '4500001c12340000402fe47bc0000201c00002023001080000004321', expect: INVALID },

  // GRE-5: dstkey is bytes 6-7, never bytes 4-5 (payload length) nor the 32-bit key.
  { id: 'v1-call-id-not-payload-length', rules: ['GRE-5'],
    packet: '4500001c12340000402fe47bc0000201c00002023001880b12345678', expect: tracked(A, B, 0, 0x5678) },
  { id: 'v1-checksum-bit-without-checksum-bytes', rules: ['GRE-5'],
    packet: '4500001c12340000402fe47bc0000201c00002028001880b00001111', expect: tracked(A, B, 0, 0x1111),
    note: 'flags 0x8001: C set, K clear; the kernel still takes bytes 6-7 as the call id' },
  { id: 'v1-sequence-and-ack-bits-without-their-bytes', rules: ['GRE-5'],
    packet: '4500001c12340000402fe47bc0000201c00002023081880b00002222', expect: tracked(A, B, 0, 0x2222) },
  { id: 'v1-exactly-eight-bytes-call-id-read', rules: ['GRE-5'], boundaryOf: ['GRE-3', 'GRE-7'],
    packet: '4500001c12340000402fe47bc0000201c00002023001880b00004444', expect: tracked(A, B, 0, 0x4444) },

  // GRE-7: nothing after byte 7 is read.
  { id: 'v1-sequence-ack-and-payload-ignored', rules: ['GRE-5', 'GRE-7'],
    packet: '4500002812340000402fe46fc0000201c00002023081880b000451510000000100000002ff03c021', expect: tracked(A, B, 0, 0x5151) },
  { id: 'v1-routing-bit-and-following-bytes-ignored', rules: ['GRE-5', 'GRE-7'],
    packet: '4500002412340000402fe473c0000201c00002027001880b000053530000000000000000', expect: tracked(A, B, 0, 0x5353),
    note: 'flags 0x7001: R, K and S set; no routing entries are parsed' },
  { id: 'ipv6-v1-sequence-and-payload-ignored', rules: ['GRE-5', 'GRE-7', 'GRE-8'],
    packet: v6('00152f', '3001880b0000525200000001ff03c0210102030405'), expect: tracked(A6, B6, 0, 0x5252) },
];
