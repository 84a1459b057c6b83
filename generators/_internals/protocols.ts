// Protocol numbers the generators may put where GRE's 47 would be. Those with a tracker of their
// own (nf_conntrack_core.c: TCP, UDP, UDP-Lite, ICMP, ICMPv6, SCTP, DCCP) are out of the suite's
// scope (CONTRACT.md section 3) and never produced.
import { u8 } from './arb.ts';

/** Protocols conntrack tracks with the generic tracker (no TCP, UDP, ICMP, SCTP, DCCP, UDP-Lite). */
export const GENERIC_PROTOCOLS = [50, 4, 41, 115, 103, 135, 255] as const;

/** Protocols with a tracker of their own (ICMP, TCP, UDP, DCCP, ICMPv6, SCTP, UDP-Lite): out of the suite's scope. */
export const OWN_TRACKER_PROTOCOLS: ReadonlySet<number> = new Set([1, 6, 17, 33, 58, 132, 136]);

/** IPv6 extension headers and No Next Header: as a next header they continue (or stop) the walk. */
const IPV6_WALK_PROTOCOLS: ReadonlySet<number> = new Set([0, 43, 44, 51, 59, 60]);

/** Any protocol number that ends a chain at the generic tracker: not GRE, not one with its own tracker, not a header the walk steps over. */
export const anyGenericProtocol = u8.filter((p) => p !== 47 && !OWN_TRACKER_PROTOCOLS.has(p) && !IPV6_WALK_PROTOCOLS.has(p));
