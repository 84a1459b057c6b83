// Hand-written IPv6 vectors for what happens before the extension-header walk: ip6_rcv_core's
// address and length checks (L3-6), trimming (L3-6T), the leading Hop-by-Hop header
// (L3-6H, ipv6_parse_hopopts / ip6_parse_tlv) and nf_ct_frag6_gather (L3-7).
import type { Vector } from './types.ts';
import { A6, A6H, B6, B6H, INVALID, NOT_SEEN, tracked } from './types.ts';

const ip6 = (src: string, dst: string, lenNh: string, rest: string) => `60000000${lenNh}40${src}${dst}${rest}`;
const v6 = (lenNh: string, rest: string) => ip6(A6H, B6H, lenNh, rest);
const PPP = (callId: string) => `3001880b0000${callId}00000001`;
const LOOPBACK = '00000000000000000000000000000001';

export const IPV6_INPUT: readonly Vector[] = [
  // L3-6: ip6_rcv_core drops.
  { id: 'ipv6-39-bytes-short-of-a-header-dropped', rules: ['L3-6'],
    packet: '6000000000002f40' + A6H + B6H.slice(0, 30), expect: NOT_SEEN },
  { id: 'ipv6-loopback-source-dropped', rules: ['L3-6'],
    packet: ip6(LOOPBACK, B6H, '000c2f', PPP('8181')), expect: NOT_SEEN },
  { id: 'ipv6-loopback-destination-dropped', rules: ['L3-6'],
    packet: ip6(A6H, LOOPBACK, '000c2f', PPP('8282')), expect: NOT_SEEN },
  { id: 'ipv6-multicast-source-dropped', rules: ['L3-6'],
    packet: ip6('ff0e0000000000000000000000000001', B6H, '000c2f', PPP('8383')), expect: NOT_SEEN },
  { id: 'ipv6-interface-local-multicast-destination-dropped', rules: ['L3-6'],
    packet: ip6(A6H, 'ff010000000000000000000000000001', '000c2f', PPP('8484')), expect: NOT_SEEN },
  { id: 'ipv6-reserved-scope-multicast-destination-dropped', rules: ['L3-6'],
    packet: ip6(A6H, 'ff000000000000000000000000000001', '000c2f', PPP('8585')), expect: NOT_SEEN },
  { id: 'ipv6-link-local-multicast-destination-tracked', rules: ['GRE-5', 'GRE-8'], boundaryOf: ['L3-6'],
    packet: ip6(A6H, 'ff020000000000000000000000000001', '000c2f', PPP('8686')), expect: tracked(A6, 'ff02::1', 0, 0x8686) },
  { id: 'ipv6-v4-mapped-source-tracked', rules: ['GRE-5', 'GRE-8'], boundaryOf: ['L3-6'],
    packet: ip6('00000000000000000000ffffc0000201', '00000000000000000000ffffc0000202', '000c2f', PPP('0b0b')),
    expect: tracked('::ffff:192.0.2.1', '::ffff:192.0.2.2', 0, 0x0b0b),
    note: 'ip6_rcv_core dropped v4-mapped sources for a while (6af1799aaf3f); dcc32f4f183a reverted that in 2021' },

  // L3-6T: bytes past 40 + payload length do not exist.
  { id: 'ipv6-bytes-past-payload-length-ignored', rules: ['L3-6T', 'GRE-3'],
    packet: v6('00062f', '300108000000' + '432100000001'), expect: tracked(A6, B6, 0, 0),
    note: 'six GRE bytes after trimming (v1, protocol unchecked); read untrimmed it would be v1 non-PPP, invalid' },
  { id: 'ipv6-ethernet-padding-ignored', rules: ['L3-6T', 'GRE-1'],
    packet: v6('00022f', '3001' + '00000000'), expect: tracked(A6, B6, 0, 0) },
  { id: 'ipv6-payload-length-0-hides-destination-options', rules: ['L3-6T', 'L3-8S'],
    packet: v6('00003c', '2f00000000000000' + PPP('8787')), expect: INVALID,
    note: 'trimmed to the 40-byte header, the Destination Options header the next-header field names cannot be read' },
  { id: 'ipv6-payload-length-0-with-hop-by-hop-not-trimmed', rules: ['L3-8', 'GRE-5'], boundaryOf: ['L3-6T'],
    packet: v6('000000', '2f00010400000000' + PPP('7777')), expect: tracked(A6, B6, 0, 0x7777),
    note: 'payload length 0 with a Hop-by-Hop header first is left for a Jumbo option: nothing is trimmed and no Jumbo option is required' },
  { id: 'ipv6-payload-length-0-skips-defragmentation', rules: ['L3-8', 'L3-8F'], boundaryOf: ['L3-7'],
    packet: v6('000000', '2c00010400000000' + '2f00000800000120' + PPP('7878')), expect: INVALID,
    note: 'nf_ct_frag6_gather ignores datagrams with payload length 0, so this non-first fragment is not queued; the walk stops on it' },

  // L3-6H: a leading Hop-by-Hop header is parsed before PREROUTING.
  { id: 'hop-by-hop-eight-pad1-dropped', rules: ['L3-6H'],
    packet: v6('001c00', '2f01' + '00'.repeat(8) + '010400000000' + PPP('8888')), expect: NOT_SEEN,
    note: 'more than 7 consecutive padding bytes' },
  { id: 'hop-by-hop-six-pad1-accepted', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('001400', '2f00' + '00'.repeat(6) + PPP('8989')), expect: tracked(A6, B6, 0, 0x8989) },
  { id: 'hop-by-hop-padn-non-zero-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f00010400000001' + PPP('8a8a')), expect: NOT_SEEN },
  { id: 'hop-by-hop-padn-of-8-bytes-dropped', rules: ['L3-6H'],
    packet: v6('001c00', '2f01' + '0106000000000000' + '010400000000' + PPP('8b8b')), expect: NOT_SEEN },
  { id: 'hop-by-hop-unknown-option-action-00-skipped', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('001400', '2f001e0400000000' + PPP('8c8c')), expect: tracked(A6, B6, 0, 0x8c8c) },
  { id: 'hop-by-hop-unknown-option-action-01-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f005e0400000000' + PPP('8d8d')), expect: NOT_SEEN },
  { id: 'hop-by-hop-unknown-option-action-11-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f00de0400000000' + PPP('8e8e')), expect: NOT_SEEN },
  { id: 'hop-by-hop-router-alert-length-2-accepted', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('001400', '2f00050200000100' + PPP('8f8f')), expect: tracked(A6, B6, 0, 0x8f8f) },
  { id: 'hop-by-hop-router-alert-length-3-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f00050300000000' + PPP('9090')), expect: NOT_SEEN },
  { id: 'hop-by-hop-eight-options-accepted', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('002400', '2f02' + '1e00'.repeat(8) + '010400000000' + PPP('9191')), expect: tracked(A6, B6, 0, 0x9191),
    note: 'eight options is the default net.ipv6.max_hbh_opts_number' },
  { id: 'hop-by-hop-nine-options-dropped', rules: ['L3-6H'],
    packet: v6('002400', '2f02' + '1e00'.repeat(9) + '01020000' + PPP('9292')), expect: NOT_SEEN },
  { id: 'hop-by-hop-misaligned-ioam-option-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f00' + '31020000' + '0000' + PPP('a2a2')), expect: NOT_SEEN,
    note: 'IOAM (0x31) must start 4n-aligned; at byte 42 it does not, and the alignment is checked before whether IOAM is enabled' },
  { id: 'hop-by-hop-aligned-ioam-option-ignored', rules: ['L3-8'], boundaryOf: ['L3-6H'],
    packet: v6('001400', '2f00' + '0100' + '31020000' + PPP('a3a3')), expect: tracked(A6, B6, 0, 0xa3a3),
    note: 'at byte 44 it is aligned; with net.ipv6.conf.*.ioam6_enabled at its default 0 the option is ignored' },
  { id: 'hop-by-hop-shorter-than-8-bytes-dropped', rules: ['L3-6H'],
    packet: v6('000400', '2f000104'), expect: NOT_SEEN },
  { id: 'hop-by-hop-option-overruns-header-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f001e0800000000' + PPP('9393')), expect: NOT_SEEN },
  { id: 'hop-by-hop-option-without-length-byte-dropped', rules: ['L3-6H'],
    packet: v6('001400', '2f00' + '0000000000' + '1e' + PPP('9494')), expect: NOT_SEEN },

  // L3-7: nf_ct_frag6_gather with one datagram alone.
  { id: 'ipv6-first-fragment-aligned-end-held', rules: ['L3-7'], source: 'reference V23, first datagram alone',
    packet: v6('00102c', '2f00000100000116' + '3001880b00007474'), expect: NOT_SEEN },
  { id: 'ipv6-atomic-fragment-after-destopts-reassembled', rules: ['L3-7', 'L3-8'],
    packet: v6('001c3c', '2c00010400000000' + '2f00000000000117' + PPP('9595')), expect: tracked(A6, B6, 0, 0x9595) },
  // find_prev_fhdr keeps the offset of the header before the Fragment header in a u8: past 255
  // the reassembly writes the next header at offset mod 256 (here byte 40, the Routing header's
  // next-header byte, which becomes 47), the real byte still says 44, and the walk reads GRE's
  // bytes as a Fragment header... and lands at GRE with version 0. Checked on Linux 6.18.44.
  { id: 'ipv6-atomic-fragment-after-256-bytes-wraps-nhoff', rules: ['L3-7', 'L3-8', 'GRE-2'],
    source: 'lab, Linux 6.18.44 (tracked, keys 0/0)',
    packet: v6('011c2b', '3c1f' + '00'.repeat(254) + '2c00010400000000' + '2f00000000000001' + PPP('4343')),
    expect: tracked(A6, B6, 0, 0),
    note: 'the same chain with a short Routing header (next vector) gives dstkey 0x4343' },
  { id: 'ipv6-atomic-fragment-short-chain-no-wrap', rules: ['L3-7', 'L3-8', 'GRE-5'],
    source: 'lab, Linux 6.18.44 (tracked, dstkey 0x4343)',
    packet: v6('00242b', '3c00' + '00'.repeat(6) + '2c00010400000000' + '2f00000000000001' + PPP('4343')),
    expect: tracked(A6, B6, 0, 0x4343) },
  { id: 'ipv6-fragment-header-cut-to-4-bytes-passes', rules: ['L3-7', 'L3-8F', 'L3-8E', 'GRE-1'],
    packet: v6('00042c', '2f000001'), expect: tracked(A6, B6, 0, 0),
    note: 'the offset field is readable, so ipv6frag_thdr_truncated sees a first fragment ending short of its headers and lets it pass; the walk then ends 4 bytes past the end' },
  { id: 'ipv6-fragment-header-cut-to-2-bytes-dropped', rules: ['L3-7'],
    packet: v6('00022c', '2f00'), expect: NOT_SEEN,
    note: 'the 8-byte Fragment header cannot be pulled: nf_ct_frag6_gather fails and ipv6_defrag drops' },
  { id: 'ipv6-non-first-fragment-aligned-end-held', rules: ['L3-7'],
    packet: v6('00102c', '2f00000900000118' + '3001880b00009696'), expect: NOT_SEEN },
  { id: 'ipv6-fragment-ending-past-65535-dropped', rules: ['L3-7'],
    packet: v6('00142c', '2f00fff800000119' + PPP('9797')), expect: NOT_SEEN },
  { id: 'ipv6-non-first-fragment-without-data-dropped', rules: ['L3-7'],
    packet: v6('00082c', '2f0000080000011a'), expect: NOT_SEEN },
];
