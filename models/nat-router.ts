// The oracle's prediction for the seed's NAT scenario (reference sheet NAT-1..NAT-6): a router
// that masquerades an inside network behind one address, with or without the raw-table NOTRACK
// rule and stateless rewrites, optionally with the PPTP helper (pptp-helper.ts, NAT variant).
// The tuple of every datagram is the Linux oracle's; what the router then does with it
// follows the NAT rules of the sheet:
// - NAT-2: source NAT rewrites only the IP address; NAT-3: de-NAT of a reply rewrites the
//   destination, and for version 1 the call ID (GRE bytes 6-7) to the target tuple's dstkey.
// - NAT-4: an entry without a master keeps its keys, so two inside hosts whose datagrams to one
//   server both become (server -> masquerade address, keys) in reply clash: the second is
//   dropped at confirm (insert_failed and drop go up by one each).
// - NAT-6: PPTP data entries take the reply tuple of their expectation.
// - NOTRACK: no entry, no NAT; a datagram for the router's own address is delivered to it.
// Pure: simulates the hosts and the server as the scenario drives them.
import type { Tuple } from '../spec/contract.ts';
import { parseIPv4, formatIPv4, normalizeAddress } from '../spec/address.ts';
import { linuxVerdict, invertTuple, ipv4Checksum } from '../oracles/index.ts';
import type { PptpModel } from './pptp-helper.ts';

export interface NatRouterConfig {
  /** The router's outside address (MASQUERADE's choice). */
  readonly outside: string;
  /** Inside addresses the router routes to (the hosts). */
  readonly inside: readonly string[];
  readonly notrack: boolean;
  /** NOTRACK with stateless rewrites (NAT-5 C): outbound source := outside; inbound destination by GRE key. */
  readonly rewrites?: readonly { key: number; host: string }[];
  /** The PPTP helper's state (NAT variant), when the scenario runs PPTP. */
  readonly pptp?: PptpModel;
}

export interface NatEntry { readonly orig: Tuple; readonly reply: Tuple }

export type Fate =
  | { kind: 'forwarded'; to: string; packet: Uint8Array }
  | { kind: 'dropped'; why: string }
  | { kind: 'local'; why: string };

export interface Arrival {
  /** The tuple conntrack builds for the datagram (null: not tracked, e.g. NOTRACK or invalid). */
  readonly tuple: Tuple | null;
  readonly fate: Fate;
}

function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.proto === b.proto && a.srckey === b.srckey && a.dstkey === b.dstkey &&
    normalizeAddress(a.src) === normalizeAddress(b.src) && normalizeAddress(a.dst) === normalizeAddress(b.dst);
}

/** A copy of an IPv4 datagram with new addresses (and v1 call ID), header checksum redone. */
export function rewrite(p: Uint8Array, set: { src?: string; dst?: string; callId?: number }): Uint8Array {
  const out = Uint8Array.from(p);
  if (set.src) out.set(parseIPv4(set.src)!, 12);
  if (set.dst) out.set(parseIPv4(set.dst)!, 16);
  const ihl = (out[0]! & 0x0f) * 4;
  if (set.callId !== undefined && out.length >= ihl + 8) { out[ihl + 6] = set.callId >> 8; out[ihl + 7] = set.callId & 0xff; }
  const c = ipv4Checksum(out, ihl);
  out[10] = c >> 8;
  out[11] = c & 0xff;
  return out;
}

export class NatRouterModel {
  readonly entries: NatEntry[] = [];
  insertFailed = 0;
  drop = 0;

  constructor(readonly cfg: NatRouterConfig) {}

  /** A GRE datagram arriving at the router from inside (a host) or outside (the server). */
  arrive(p: Uint8Array, from: 'inside' | 'outside'): Arrival {
    const dst = formatIPv4(p, 16);
    const ihl = (p[0]! & 0x0f) * 4;
    if (this.cfg.notrack) {
      if (from === 'inside') {
        return { tuple: null, fate: { kind: 'forwarded', to: dst, packet: this.cfg.rewrites ? rewrite(p, { src: this.cfg.outside }) : p } };
      }
      const key = p.length >= ihl + 8 && (p[ihl]! & 0x20) ? ((p[ihl + 4]! << 24) | (p[ihl + 5]! << 16) | (p[ihl + 6]! << 8) | p[ihl + 7]!) >>> 0 : undefined;
      const r = this.cfg.rewrites?.find((x) => x.key === key);
      if (r) return { tuple: null, fate: { kind: 'forwarded', to: r.host, packet: rewrite(p, { dst: r.host }) } };
      return { tuple: null, fate: dst === this.cfg.outside ? { kind: 'local', why: 'untracked, addressed to the router itself: no de-NAT' } : { kind: 'forwarded', to: dst, packet: p } };
    }
    const verdict = linuxVerdict(p, { keymap: this.cfg.pptp?.keymap() ?? [] });
    const t = verdict.tuple;
    if (!t || verdict.outcome !== 'tracked') return { tuple: t, fate: { kind: 'forwarded', to: dst, packet: p } };
    const own = this.entries.find((e) => sameTuple(e.orig, t));
    if (own) return { tuple: t, fate: this.snat(p, own) };
    const back = this.entries.find((e) => sameTuple(e.reply, t));
    if (back) {
      // De-NAT towards the original source; version 1 gets the original source's key as call ID (NAT-3).
      const v1 = (p[ihl + 1]! & 7) === 1;
      return { tuple: t, fate: { kind: 'forwarded', to: back.orig.src, packet: rewrite(p, { dst: back.orig.src, ...(v1 ? { callId: back.orig.srckey } : {}) }) } };
    }
    // A new entry. The PPTP model knows whether an expectation names it, and then its reply (NAT-6).
    const pptp = this.cfg.pptp?.data(p);
    const fromExpectation = pptp?.master !== undefined ? this.cfg.pptp!.greEntries().find((e) => sameTuple(e.orig, t)) : undefined;
    if (from === 'outside') {
      // Nothing inside asked for it: no NAT, and it is for the router itself.
      this.entries.push({ orig: t, reply: invertTuple(t) });
      return { tuple: t, fate: dst === this.cfg.outside ? { kind: 'local', why: 'no entry to de-NAT it: delivered to the router itself' } : { kind: 'forwarded', to: dst, packet: p } };
    }
    const reply: Tuple = fromExpectation ? fromExpectation.reply : { ...invertTuple(t), dst: this.cfg.outside };
    if (this.entries.some((e) => sameTuple(e.reply, reply) || sameTuple(e.orig, reply))) {
      // NAT-4: the masqueraded reply tuple is taken and the keys cannot change: clash at confirm.
      this.insertFailed++;
      this.drop++;
      return { tuple: t, fate: { kind: 'dropped', why: `clash at confirm: reply tuple ${reply.src} -> ${reply.dst} keys ${reply.srckey}/${reply.dstkey} already belongs to another entry (insert_failed, drop)` } };
    }
    const e = { orig: t, reply };
    this.entries.push(e);
    return { tuple: t, fate: this.snat(p, e) };
  }

  private snat(p: Uint8Array, e: NatEntry): Fate {
    return { kind: 'forwarded', to: e.orig.dst, packet: rewrite(p, { src: e.reply.dst }) };
  }
}
