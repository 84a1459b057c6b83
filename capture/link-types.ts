// LINKTYPE_ values (the numbers stored in capture files, tcpdump.org's registry as libpcap
// 1.10's pcap-common.c lists it). Only the ones this project decodes or writes get a name here.

export const LINKTYPE = {
  NULL: 0,          // BSD loopback: 4-byte address family in the capturing host's byte order
  ETHERNET: 1,
  RAW_DLT12: 12,    // DLT_RAW as most BSDs and Linux number it, found in old files
  RAW_DLT14: 14,    // DLT_RAW as OpenBSD numbers it
  RAW: 101,         // raw IPv4 or IPv6, the version nibble tells which
  LOOP: 108,        // OpenBSD loopback: 4-byte address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type LinkTypeName = keyof typeof LINKTYPE;

const NAMES = new Map<number, string>(
  (Object.entries(LINKTYPE) as [string, number][]).map(([name, v]) => [v, name]),
);

/** Highest value in the registry's "matching" range that this table accepts. */
const MATCHING_MAX = 302;

/**
 * True for a value in the LINKTYPE_ registry: 0-10, 50, 51, 99-103, the matching range from
 * 104 (with some room above libpcap 1.10's 290 for values registered since), and the raw-IP
 * DLT aliases 12 and 14 that old files carry. Anything else is an unknown link type.
 */
export function isKnownLinkType(v: number): boolean {
  return (v >= 0 && v <= 10) || v === 12 || v === 14 || v === 50 || v === 51 || (v >= 99 && v <= MATCHING_MAX);
}

/** `ETHERNET (1)`, or `LINKTYPE 105` for a value this project has no name for. */
export function linkTypeName(v: number): string {
  const n = NAMES.get(v);
  return n === undefined ? `LINKTYPE ${v}` : `${n} (${v})`;
}
