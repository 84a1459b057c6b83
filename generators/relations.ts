// Metamorphic relations: edits of a case under which the kernel's answer is known without an
// oracle (the same answer, or the inverted tuple). A cheap smoke tier: an implementation that
// answers differently across a relation is wrong somewhere, whatever the right answer is.
// Each relation applies only where its claim holds for the kernel (checked by the tests against
// the oracle); otherwise it returns undefined.
import type { RuleId } from '../spec/rules.ts';
import type { GreCase, Ipv4Header, Ipv6ExtHeader, Ipv6Header } from './model.ts';
import { withAutoFields } from './_internals/autoFields.ts';
import { layoutCase } from './_internals/layout.ts';
import { IPV4_POOL } from './ipv4Address.ts';
import { IPV6_POOL } from './ipv6Address.ts';
import { normalizeAddress } from '../spec/address.ts';

export interface Relation {
  readonly id: string;
  /** The rule whose claim the relation checks, for reports. */
  readonly rule: RuleId;
  readonly statement: string;
  /** 'same': the edited case has the same answer; 'inverted': the reply tuple (CT-1). */
  readonly expect: 'same' | 'inverted';
  apply(c: GreCase): GreCase | undefined;
}

/** Header fields that lie, or a cut inside the headers, would move with the edit: no claim then. */
function honest(c: GreCase): GreCase | undefined {
  const n = withAutoFields(c);
  if (n.truncate && (n.truncate.from === 'datagram' || n.truncate.keep < 0)) return undefined;
  const ip = n.ip;
  if (ip.family === 4 && (ip.ihl !== 'auto' || ip.totalLength !== 'auto' || ip.checksum !== 'auto' || ip.protocol !== 'auto' || ip.version !== 4)) return undefined;
  if (ip.family === 6 && (ip.payloadLength !== 'auto' || ip.nextHeader !== 'auto' || ip.version !== 6)) return undefined;
  if (n.ext.some((h) => h.nextHeader !== 'auto' || ('length' in h && h.length !== 'auto'))) return undefined;
  return n;
}

const NOPS = [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] as const;

const ipv4OptionsAdded: Relation = {
  id: 'ipv4-options-added', rule: 'L3-4', expect: 'same',
  statement: 'four NOP option bytes added to the IPv4 header move GRE, not the answer',
  apply(c) {
    const n = c.ip.family === 4 ? honest(c) : undefined;
    if (!n) return undefined;
    const ip = n.ip as Ipv4Header;
    const out: GreCase = { ...n, ip: { ...ip, options: [...NOPS, ...ip.options] } };
    // IHL is 4 bits: the header can grow to 60 bytes at most.
    return layoutCase(out).greOffset <= 60 ? out : undefined;
  },
};

const ipv6DestinationAdded: Relation = {
  id: 'ipv6-destination-options-added', rule: 'L3-8', expect: 'same',
  statement: 'an 8-byte Destination Options header added to the IPv6 chain (after a leading Hop-by-Hop) moves GRE, not the answer',
  apply(c) {
    const n = c.ip.family === 6 ? honest(c) : undefined;
    if (!n) return undefined;
    // Reassembly keeps the offset of the header before a Fragment header in a u8 (L3-7): stay clear of 256.
    if (layoutCase(n).greOffset > 200) return undefined;
    const dest: Ipv6ExtHeader = { kind: 'destination', nextHeader: 'auto', length: 'auto', options: [{ kind: 'tlv', type: 1, length: 'auto', data: new Uint8Array(4) }] };
    const at = n.ext[0]?.kind === 'hop-by-hop' ? 1 : 0;
    return { ...n, ext: [...n.ext.slice(0, at), dest, ...n.ext.slice(at)] };
  },
};

const v1FieldsChanged: Relation = {
  id: 'v1-flags-seq-ack-changed', rule: 'GRE-7', expect: 'same',
  statement: 'a version 1 header with every flag bit but the version flipped and other sequence and ack values has the same answer',
  apply(c) {
    // Without a key field the sequence or ack number sits at bytes 4-7, where the call id is read.
    const n = c.gre.flags.version === 1 && c.gre.key !== undefined ? honest(c) : undefined;
    if (!n) return undefined;
    const g = n.gre;
    const f = g.flags;
    return {
      ...n,
      gre: {
        ...g,
        flags: { ...f, c: !f.c, r: !f.r, k: !f.k, s: !f.s, strict: !f.strict, a: !f.a, recursion: f.recursion ^ 7, reserved: f.reserved ^ 15 },
        ...(g.seq !== undefined ? { seq: (g.seq ^ 0xffffffff) >>> 0 } : {}),
        ...(g.ack !== undefined ? { ack: (g.ack ^ 0xffffffff) >>> 0 } : {}),
      },
    };
  },
};

const v0PayloadChanged: Relation = {
  id: 'v0-key-and-payload-changed', rule: 'GRE-2', expect: 'same',
  statement: 'a version 0 header with another key and another payload of the same length has the same answer',
  apply(c) {
    const n = c.gre.flags.version === 0 ? honest(c) : undefined;
    if (!n) return undefined;
    const g = n.gre;
    const key = typeof g.key === 'number' ? { key: (g.key ^ 0xffffffff) >>> 0 } : {};
    const bytes = n.payload.bytes.map((b) => b ^ 0x5a);
    return { ...n, gre: { ...g, ...key }, payload: { ...n.payload, bytes } };
  },
};

const POOL = new Set<string>([...IPV4_POOL, ...IPV6_POOL].map((a) => normalizeAddress(a)!));

const v0ReplyInverted: Relation = {
  id: 'v0-reply-inverted', rule: 'CT-1', expect: 'inverted',
  statement: 'the same version 0 datagram sent back (addresses swapped) gets the inverted tuple',
  apply(c) {
    const n = c.gre.flags.version === 0 && c.keymap.length === 0 ? honest(c) : undefined;
    if (!n) return undefined;
    const src = normalizeAddress(n.ip.src), dst = normalizeAddress(n.ip.dst);
    // Unicast documentation addresses only: swapping a multicast or loopback address changes what the IP layer drops.
    if (!src || !dst || !POOL.has(src) || !POOL.has(dst)) return undefined;
    const ip = { ...n.ip, src: n.ip.dst, dst: n.ip.src } as Ipv4Header | Ipv6Header;
    return { ...n, ip };
  },
};

export const RELATIONS: readonly Relation[] = [ipv4OptionsAdded, ipv6DestinationAdded, v1FieldsChanged, v0PayloadChanged, v0ReplyInverted];
