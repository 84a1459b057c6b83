// ipDatagramOf: the IP datagram a link-layer record carries, found the way the receiving stack
// would: Ethernet II with any stack of 802.1Q / 802.1ad / QinQ tags (IEEE 802.1Q-2018 9.5),
// raw IP (LINKTYPE_RAW and the DLT_RAW aliases 12 and 14, LINKTYPE_IPV4/IPV6), Linux cooked
// capture v1 and v2 (libpcap's sll.h layouts), BSD null and OpenBSD loop (4-byte address family).
// Every header byte is read through a bounds check: a record that ends inside its link-layer
// header is skipped with the reason, never decoded from `undefined`.
import { LINKTYPE, linkTypeName } from './link-types.ts';
import type { CaptureRecord } from './record.ts';
import { be16, be32 } from './_internals/bytes.ts';

export interface IpDatagram {
  /** The bytes from the first IP header byte to the end of the captured data (a view). */
  readonly ip: Uint8Array;
  /** How the datagram was carried, e.g. `ethernet`, `ethernet/802.1ad:10/802.1q:20`, `sll2`. */
  readonly l2: string;
  /** The snapshot length cut the record (caplen < origlen): bytes at the end are missing. */
  readonly truncated: boolean;
  /** Length of the IP part on the wire: ip.length plus the bytes the snapshot length cut. */
  readonly wireLength: number;
}

export interface Skipped {
  readonly skip: string;
}

export type LinkRecord = Pick<CaptureRecord, 'linkType' | 'data' | 'caplen' | 'origlen'>;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
/** Tag protocol identifiers: 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ values. */
const VLAN_TPIDS: Record<number, string> = { 0x8100: '802.1q', 0x88a8: '802.1ad', 0x9100: 'qinq-9100', 0x9200: 'qinq-9200' };
const MAX_TAGS = 8;

/** Address families meaning IPv4 / IPv6 in BSD null and loop headers (BSDs, macOS, Linux). */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export function ipDatagramOf(r: LinkRecord): IpDatagram | Skipped {
  const b = r.data;
  switch (r.linkType) {
    case LINKTYPE.ETHERNET: {
      if (b.length < 14) return short('Ethernet header', 14, b.length);
      return afterEthertype(r, 12, 'ethernet');
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14: {
      const first = b[0];
      if (first === undefined) return { skip: 'empty record' };
      const version = first >> 4;
      if (version !== 4 && version !== 6) return { skip: `raw IP record with IP version ${version}` };
      return found(r, 0, 'raw');
    }
    case LINKTYPE.IPV4: return found(r, 0, 'ipv4');
    case LINKTYPE.IPV6: return found(r, 0, 'ipv6');
    case LINKTYPE.LINUX_SLL: {
      if (b.length < 16) return short('Linux cooked (SLL) header', 16, b.length);
      return afterEthertype(r, 14, 'sll');
    }
    case LINKTYPE.LINUX_SLL2: {
      if (b.length < 20) return short('Linux cooked v2 (SLL2) header', 20, b.length);
      return afterEthertype(r, 0, 'sll2', 20);
    }
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      const be = be32(b, 0);
      if (be === undefined) return short('loopback header', 4, b.length);
      // NULL: the capturing host's byte order. A family is < 2^16, so if the low 16 bits of the
      // big-endian reading are 0 the value was little-endian (libpcap's null_if_print does so).
      const af = r.linkType === LINKTYPE.NULL && (be & 0xffff) === 0 ? swap32(be) : be;
      const name = r.linkType === LINKTYPE.NULL ? 'null' : 'loop';
      if (af === AF_INET || AF_INET6.has(af)) return found(r, 4, name);
      return { skip: `${name} header with address family ${af}, not IP` };
    }
    default:
      return { skip: `link type ${linkTypeName(r.linkType)} is not decoded` };
  }
}

/** Ethertype at `at`, then VLAN tags; the next header starts at `payload` (default at + 2). */
function afterEthertype(r: LinkRecord, at: number, l2: string, payload = at + 2): IpDatagram | Skipped {
  const b = r.data;
  let type = be16(b, at);
  let next = payload;
  for (let tags = 0; type !== undefined && VLAN_TPIDS[type] !== undefined; tags++) {
    if (tags === MAX_TAGS) return { skip: `more than ${MAX_TAGS} VLAN tags` };
    const tci = be16(b, next);
    const inner = be16(b, next + 2);
    if (tci === undefined || inner === undefined) return short(`${VLAN_TPIDS[type]} tag`, next + 4, b.length);
    l2 += `/${VLAN_TPIDS[type]}:${tci & 0x0fff}`;
    type = inner;
    next += 4;
  }
  if (type === undefined) return short(`${l2} header`, at + 2, b.length);
  if (type === ETH_IPV4 || type === ETH_IPV6) return found(r, next, l2);
  if (type < 0x0600) return { skip: `${l2}: 802.3 length field ${type} (LLC frame), not IP` };
  return { skip: `${l2}: ethertype 0x${type.toString(16).padStart(4, '0')} is not IP` };
}

function found(r: LinkRecord, at: number, l2: string): IpDatagram {
  const ip = r.data.subarray(at);
  const cut = Math.max(0, r.origlen - r.caplen);
  return { ip, l2, truncated: r.caplen < r.origlen, wireLength: ip.length + cut };
}

function short(what: string, need: number, have: number): Skipped {
  return { skip: `record ends inside the ${what} (${have} of ${need} bytes)` };
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
