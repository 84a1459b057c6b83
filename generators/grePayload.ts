// What GRE carries, by the protocol type that announces it: IPv4 0x0800, IPv6 0x86DD,
// transparent Ethernet bridging 0x6558, ERSPAN 0x88BE, WCCP 0x883E, PPP 0x880B (RFC 2637),
// NHRP 0x2001 (RFC 2332), or raw bytes. Each kind is a short fixed start of its own header
// followed by any bytes; conntrack reads none of it (GRE-7).
import fc from 'fast-check';
import type { GrePayload, PayloadKind } from './model.ts';
import { bytes, mapExact, pick, sharedBy, w } from './_internals/arb.ts';

/** The first bytes of each kind: enough to recognise it, short enough to keep cases small. */
export const PAYLOAD_START: Readonly<Record<PayloadKind, readonly number[]>> = {
  raw: [],
  ipv4: [0x45, 0x00], // version 4, IHL 5
  ipv6: [0x60, 0x00], // version 6
  ethernet: [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00], // locally administered MACs, EtherType IPv4
  erspan: [0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0], // type II: version 1, VLAN 0, session 1 (draft-foschiano-erspan 4.1)
  wccp: [0x00, 0x00, 0x00, 0x00], // WCCPv2 redirect header, all zero
  ppp: [0xff, 0x03, 0x00, 0x21], // HDLC address and control, PPP protocol IPv4 (RFC 1662)
  nhrp: [0x00, 0x01, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff, 0x00, 0x14, 0, 0, 0, 0, 0x01, 0x01, 0, 0], // RFC 2332 5.2.0 fixed header
};

export interface GrePayloadConstraints {
  /** The kinds to choose from; the first is the shrink target (default: raw, then each kind once). */
  readonly kinds?: readonly PayloadKind[];
  /** Most bytes generated after the kind's start (default 12). */
  readonly maxTail?: number;
}

const ALL_KINDS: readonly PayloadKind[] = ['raw', 'ipv4', 'ipv6', 'ethernet', 'erspan', 'wccp', 'ppp', 'nhrp'];

/** One kind: its start, then up to `maxTail` bytes (any length shrinks back). */
export function payloadOf(kind: PayloadKind, maxTail = 12): fc.Arbitrary<GrePayload> {
  return payloadArb(kind, maxTail);
}

const payloadArb = sharedBy((kind: PayloadKind, maxTail: number): fc.Arbitrary<GrePayload> => {
  const start = PAYLOAD_START[kind];
  return mapExact(
    fc.oneof(w(50, bytes(maxTail)), w(1, bytes(2048))),
    (tail): GrePayload => {
      const b = new Uint8Array(start.length + tail.length);
      b.set(start, 0);
      b.set(tail, start.length);
      return { kind, bytes: b };
    },
    (v) => {
      const p = v as GrePayload;
      if (p?.kind !== kind || !(p.bytes instanceof Uint8Array)) throw new Error('other payload');
      return p.bytes.subarray(start.length);
    },
  );
});

export function grePayload(c: GrePayloadConstraints = {}): fc.Arbitrary<GrePayload> {
  const kinds = c.kinds ?? ALL_KINDS;
  const [first, ...rest] = kinds.map((k) => w(1, payloadOf(k, c.maxTail)));
  if (!first) throw new RangeError('grePayload needs at least one kind');
  return pick({ ...first, weight: Math.max(1, rest.length) }, ...rest);
}
