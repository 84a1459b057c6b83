// A stateful model of what the kernel's PPTP conntrack helper does to the GRE keymap (reference
// sheet KM-4, KM-6, KM-7; Linux 6.18 net/netfilter/nf_conntrack_pptp.c: conntrack_pptp_help,
// pptp_outbound_pkt, pptp_inbound_pkt, exp_gre, pptp_expectfn, pptp_destroy_siblings;
// nf_conntrack_proto_gre.c: nf_ct_gre_keymap_add, nf_ct_gre_keymap_destroy;
// nf_conntrack_expect.c: __nf_ct_expect_check; nf_conntrack_core.c: init_conntrack,
// destroy_gre_conntrack; nf_nat_pptp.c for the NAT variant). Pure: it is fed the control
// messages and GRE datagrams the router sees and answers, through the Linux oracle with the
// model's keymap, the tuple conntrack builds for each datagram.
//
// What it keeps, per router: each control connection's helper state (session and call state,
// the PNS and PAC call IDs, its two keymap slots), the keymap list in insertion order, the
// pending GRE expectations (max 2 per control connection, oldest evicted; an identical tuple
// of another connection is refused, -EBUSY), and the GRE entries (to know when a datagram
// creates an entry from an expectation, and which entries a deletion or an expiry destroys).
import type { KeymapEntry, Tuple } from '../spec/contract.ts';
import { linuxVerdict, invertTuple, type Verdict } from '../oracles/index.ts';
import { normalizeAddress } from '../spec/address.ts';
import { MAGIC_COOKIE, MSG, MSG_NAME } from './pptp-wire.ts';

/** enum pptp_ctrlsess_state / pptp_ctrlcall_state (include/linux/netfilter/nf_conntrack_pptp.h). */
export const SSTATE = { NONE: 0, ERROR: 1, STOPREQ: 2, REQUESTED: 3, CONFIRMED: 4 } as const;
export const CSTATE = { NONE: 0, ERROR: 1, OUT_REQ: 2, OUT_CONF: 3, IN_REQ: 4, IN_REP: 5, IN_CONF: 6, CLEAR_REQ: 7 } as const;

/**
 * Body sizes the helper requires (pptp_msg_size: the sizeof of each struct Pptp* in
 * include/linux/netfilter/nf_conntrack_pptp.h, which for incoming calls, WAN errors and link
 * info is not the RFC 2637 length less the header): a shorter message is not looked at. Echo
 * messages have no entry, so any length is read.
 */
export const MSG_SIZE: Readonly<Record<number, number>> = {
  1: 144, 2: 144, 3: 4, 4: 4, 7: 156, 8: 20, 9: 208, 10: 12, 11: 16, 12: 4, 13: 136, 14: 28, 15: 12,
};
const MAX_EXPECTED = 2;

export type Direction = 'pns-to-pac' | 'pac-to-pns';

export interface ControlConnection {
  /** Addresses of the control entry's original tuple (PNS -> PAC, as the PNS sent them). */
  readonly pns: string;
  readonly pac: string;
  /** Addresses of its reply tuple (PAC -> PNS as the router sees replies: the NAT address under NAT). */
  readonly reply: { readonly src: string; readonly dst: string };
  /** Under NAT: the PNS call ID nf_nat_pptp puts in the OCRQ (the post-NAT TCP source port, NAT-6). */
  readonly natCallId?: number;
}

interface HelperState {
  sstate: number;
  cstate: number;
  pnsCallId: number;
  pacCallId: number;
  /** nf_nat_pptp's saved original PNS call ID (NAT only). */
  natOrigPns: number;
  /** The connection's two keymap slots (ORIGINAL, REPLY), as indices into the list. */
  km: [KeymapItem | undefined, KeymapItem | undefined];
}

interface KeymapItem { readonly owner: string; readonly tuple: Tuple }
interface Expectation { readonly master: string; readonly tuple: Tuple }
export interface GreEntry {
  readonly orig: Tuple;
  readonly reply: Tuple;
  readonly master?: string;
  /** Idle past its timeout, not yet reaped (a lookup of its tuple, the gc worker or a table read will). */
  readonly expired?: boolean;
}

/** What one control message did, for reports. */
export interface ControlEffect {
  readonly message: string;
  /** Why the helper left it alone, when it did. */
  readonly ignored?: string;
  readonly added: KeymapEntry[];
  readonly removed: KeymapEntry[];
  readonly killed: GreEntry[];
}

export interface DataEffect {
  /** The oracle's verdict with the model's keymap: the tuple conntrack builds. */
  readonly verdict: Verdict;
  /** 'new' entry (with its master when an expectation matched), 'existing' entry, or none (not tracked). */
  readonly entry: 'new' | 'existing' | 'none';
  readonly master?: string;
}

function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.proto === b.proto && a.srckey === b.srckey && a.dstkey === b.dstkey &&
    normalizeAddress(a.src) === normalizeAddress(b.src) && normalizeAddress(a.dst) === normalizeAddress(b.dst);
}

/** gre_key_cmpfn: the same addresses and dst key (what a keymap lookup compares; not the src key). */
function sameKeyOf(a: Tuple, b: Tuple): boolean {
  return a.dstkey === b.dstkey && normalizeAddress(a.src) === normalizeAddress(b.src) && normalizeAddress(a.dst) === normalizeAddress(b.dst);
}

function gre(src: string, dst: string, srckey: number, dstkey: number): Tuple {
  return { src, dst, proto: 47, srckey, dstkey };
}

function asEntry(t: Tuple): KeymapEntry {
  return { src: t.src, dst: t.dst, dstkey: t.dstkey, srckey: t.srckey };
}

const be16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

export class PptpModel {
  private readonly conns = new Map<string, { c: ControlConnection; h: HelperState }>();
  private list: KeymapItem[] = [];
  /** Pending expectations, oldest first. */
  private exps: Expectation[] = [];
  private entries: { orig: Tuple; reply: Tuple; master?: string; expired?: boolean }[] = [];

  /** A new control connection through the router, with the helper attached (KM-5). */
  open(id: string, c: Omit<ControlConnection, 'reply'> & { reply?: ControlConnection['reply'] }): void {
    if (this.conns.has(id)) throw new Error(`connection ${id} exists`);
    const conn: ControlConnection = { ...c, reply: c.reply ?? { src: c.pac, dst: c.pns } };
    this.conns.set(id, { c: conn, h: { sstate: SSTATE.NONE, cstate: CSTATE.NONE, pnsCallId: 0, pacCallId: 0, natOrigPns: 0, km: [undefined, undefined] } });
  }

  /** The keymap as the contract spells it, in list order. */
  keymap(): KeymapEntry[] {
    return this.list.map((k) => asEntry(k.tuple));
  }

  greEntries(): readonly GreEntry[] {
    return this.entries;
  }

  /** Pending GRE expectations (the tuples expected entries will have), oldest first. */
  expectations(): Tuple[] {
    return this.exps.map((e) => e.tuple);
  }

  helperState(id: string): Readonly<HelperState> | undefined {
    return this.conns.get(id)?.h;
  }

  /**
   * One TCP segment's payload on a control connection (conntrack_pptp_help): the helper reads
   * the first message only, and only a control message with the magic cookie and a body at least
   * as long as the kernel's struct.
   */
  control(id: string, dir: Direction, segment: Uint8Array): ControlEffect {
    const conn = this.conns.get(id);
    if (!conn) throw new Error(`no connection ${id}`);
    const before = this.list.slice();
    const killed: GreEntry[] = [];
    const type = segment.length >= 10 ? be16(segment, 8) : 0;
    const name = MSG_NAME[type] ?? `type ${type}`;
    const done = (ignored?: string): ControlEffect => ({
      message: name, ...(ignored ? { ignored } : {}),
      added: this.list.filter((k) => !before.includes(k)).map((k) => asEntry(k.tuple)),
      removed: before.filter((k) => !this.list.includes(k)).map((k) => asEntry(k.tuple)),
      killed,
    });
    if (segment.length < 12) return done('no full PPTP header');
    if (be16(segment, 2) !== 1 || ((be16(segment, 4) << 16) | be16(segment, 6)) >>> 0 !== MAGIC_COOKIE) return done('not a control message');
    const reqlen = segment.length - 12;
    if (type > 0 && type <= 15 && reqlen < MSG_SIZE[type]!) return done(`body of ${reqlen} bytes, the helper needs ${MSG_SIZE[type]}`);
    const body = segment.subarray(12);
    const r = dir === 'pns-to-pac' ? this.outbound(id, conn, type, body) : this.inbound(id, conn, type, body, killed);
    return done(r);
  }

  /** pptp_outbound_pkt (and nf_nat_pptp's outbound hook under NAT). Returns why it was ignored, if it was. */
  private outbound(id: string, { c, h }: { c: ControlConnection; h: HelperState }, type: number, body: Uint8Array): string | undefined {
    switch (type) {
      case MSG.SCCRQ:
        if (h.sstate !== SSTATE.NONE) return 'session already started';
        h.sstate = SSTATE.REQUESTED;
        return undefined;
      case MSG.StopCCRQ:
        h.sstate = SSTATE.STOPREQ;
        return undefined;
      case MSG.OCRQ:
        if (h.sstate !== SSTATE.CONFIRMED) return 'session not confirmed';
        h.cstate = CSTATE.OUT_REQ;
        h.pnsCallId = be16(body, 0);
        if (c.natCallId !== undefined) {
          h.natOrigPns = h.pnsCallId;
          h.pnsCallId = c.natCallId;
        }
        return undefined;
      case MSG.ICRP: {
        if (h.cstate !== CSTATE.IN_REQ && h.cstate !== CSTATE.IN_REP) return 'no incoming call requested';
        if (h.pacCallId !== be16(body, 2)) return 'peer call ID is not the PAC\'s';
        if (body[4] === 1) { h.cstate = CSTATE.IN_REP; h.pnsCallId = be16(body, 0); } else h.cstate = CSTATE.NONE;
        return undefined;
      }
      case MSG.CCRQ:
        if (h.sstate !== SSTATE.CONFIRMED) return 'session not confirmed';
        h.cstate = CSTATE.CLEAR_REQ;
        return undefined;
      case MSG.SLI: case MSG.EchoRQ: case MSG.EchoRP:
        return undefined;
      default:
        void id;
        return 'not a PNS message';
    }
  }

  /** pptp_inbound_pkt. */
  private inbound(id: string, conn: { c: ControlConnection; h: HelperState }, type: number, body: Uint8Array, killed: GreEntry[]): string | undefined {
    const h = conn.h;
    switch (type) {
      case MSG.SCCRP:
        if (h.sstate < SSTATE.REQUESTED) return 'no session requested';
        h.sstate = body[2] === 1 ? SSTATE.CONFIRMED : SSTATE.ERROR;
        return undefined;
      case MSG.StopCCRP:
        if (h.sstate > SSTATE.STOPREQ) return 'no stop requested';
        h.sstate = body[0] === 1 ? SSTATE.NONE : SSTATE.ERROR;
        return undefined;
      case MSG.OCRP: {
        if (h.sstate !== SSTATE.CONFIRMED) return 'session not confirmed';
        if (h.cstate !== CSTATE.OUT_REQ && h.cstate !== CSTATE.OUT_CONF) return 'no outgoing call requested';
        const cid = be16(body, 0), pcid = be16(body, 2);
        if (h.pnsCallId !== pcid) return `peer call ID 0x${pcid.toString(16)} is not the PNS call ID 0x${h.pnsCallId.toString(16)}`;
        if (body[4] === 1) {
          h.cstate = CSTATE.OUT_CONF;
          h.pacCallId = cid;
          return this.expGre(id, conn, cid, pcid);
        }
        h.cstate = CSTATE.NONE;
        return undefined;
      }
      case MSG.ICRQ:
        if (h.sstate !== SSTATE.CONFIRMED) return 'session not confirmed';
        h.cstate = CSTATE.IN_REQ;
        h.pacCallId = be16(body, 0);
        return undefined;
      case MSG.ICCN: {
        if (h.sstate !== SSTATE.CONFIRMED) return 'session not confirmed';
        if (h.cstate !== CSTATE.IN_REP && h.cstate !== CSTATE.IN_CONF) return 'no incoming call replied';
        // struct PptpInCallConnected starts with the Peer's Call ID (no Call ID of its own).
        const pcid = be16(body, 0);
        if (h.pnsCallId !== pcid) return 'peer call ID is not the PNS\'s';
        h.cstate = CSTATE.IN_CONF;
        // nf_nat_pptp rewrites the call IDs of ICRP and ICCN too; only outgoing calls through NAT
        // are modelled (and checked against the kernel, lab nat). Better no answer than a guess.
        if (conn.c.natCallId !== undefined) throw new Error('PptpModel: an incoming call through NAT (nf_nat_pptp on ICRP/ICCN) is not modelled');
        return this.expGre(id, conn, h.pacCallId, pcid);
      }
      case MSG.CDN:
        h.cstate = CSTATE.NONE;
        this.destroySiblings(id, conn, killed);
        return undefined;
      case MSG.WEN: case MSG.SLI: case MSG.EchoRQ: case MSG.EchoRP:
        return undefined;
      default:
        return 'not a PAC message';
    }
  }

  /** exp_gre: two expectations, then the keymap pair; any failure withdraws what it did. */
  private expGre(id: string, { c, h }: { c: ControlConnection; h: HelperState }, callid: number, peerCallid: number): string | undefined {
    let orig = gre(c.pns, c.pac, peerCallid, callid);
    let reply = gre(c.reply.src, c.reply.dst, callid, peerCallid);
    if (c.natCallId !== undefined) {
      // nf_nat_pptp's exp_gre hook (NAT-6): the original direction keeps the PNS's own call ID,
      // the reply direction expects the NATed one.
      orig = gre(c.pns, c.pac, h.natOrigPns, h.pacCallId);
      reply = gre(c.reply.src, c.reply.dst, h.pacCallId, h.pnsCallId);
    }
    const eo = this.expectRelated(id, orig);
    if (!eo) return 'GRE expectation refused: an identical one belongs to another control connection';
    const er = this.expectRelated(id, reply);
    if (!er) { this.unexpect(eo); return 'GRE expectation refused: an identical one belongs to another control connection'; }
    const refused = this.keymapAdd(id, h, orig, reply);
    if (refused) {
      this.unexpect(er);
      this.unexpect(eo);
      return refused;
    }
    return undefined;
  }

  /** __nf_ct_expect_check + insert: replace own identical, refuse another's identical, evict own oldest beyond 2. */
  private expectRelated(master: string, tuple: Tuple): Expectation | undefined {
    const same = this.exps.find((e) => sameTuple(e.tuple, tuple));
    if (same && same.master !== master) return undefined;
    if (same) this.unexpect(same);
    const mine = this.exps.filter((e) => e.master === master);
    if (mine.length >= MAX_EXPECTED) this.unexpect(mine[0]!);
    const e = { master, tuple };
    this.exps.push(e);
    return e;
  }

  private unexpect(e: Expectation): void {
    this.exps = this.exps.filter((x) => x !== e);
  }

  /**
   * exp_gre's two nf_ct_gre_keymap_add calls, one per direction (KM-7 before the 2026 pairwise
   * API, which is what the live 6.18.44 kernel does: tested by the lab's command sequences). A
   * slot already holding a tuple accepts the new one as a retransmission when gre_key_cmpfn
   * calls them equal, which compares addresses and the dst key only, and keeps the old tuple;
   * otherwise the ORIGINAL add fails and nothing changes, while a failing REPLY add destroys the
   * connection's whole pair (nf_ct_gre_keymap_destroy). Returns why it failed, if it did.
   */
  private keymapAdd(owner: string, h: HelperState, orig: Tuple, reply: Tuple): string | undefined {
    const [ko, kr] = h.km;
    if (ko && !sameKeyOf(ko.tuple, orig)) return 'keymap ORIGINAL slot holds another call (one call per control connection)';
    const o = ko ?? { owner, tuple: orig };
    if (!ko) this.list.push(o);
    h.km = [o, kr];
    if (kr && !sameKeyOf(kr.tuple, reply)) {
      this.keymapDestroy(owner);
      return 'keymap REPLY slot holds another call: the connection\'s pair is destroyed';
    }
    const r = kr ?? { owner, tuple: reply };
    if (!kr) this.list.push(r);
    h.km = [o, r];
    return undefined;
  }

  /** nf_ct_gre_keymap_destroy(master). */
  private keymapDestroy(owner: string): void {
    const conn = this.conns.get(owner);
    if (!conn) return;
    this.list = this.list.filter((k) => k !== conn.h.km[0] && k !== conn.h.km[1]);
    conn.h.km = [undefined, undefined];
  }

  /** pptp_destroy_siblings: the keymap pair, then the GRE entry (or else expectation) of each direction. */
  private destroySiblings(id: string, { c, h }: { c: ControlConnection; h: HelperState }, killed: GreEntry[]): void {
    this.keymapDestroy(id);
    for (const t of [gre(c.pns, c.pac, h.pnsCallId, h.pacCallId), gre(c.reply.src, c.reply.dst, h.pacCallId, h.pnsCallId)]) {
      const e = this.entries.find((x) => sameTuple(x.orig, t) || sameTuple(x.reply, t));
      if (e) {
        this.killEntry(e);
        killed.push(e);
        continue;
      }
      // nf_ct_expect_find_get walks the hash bucket from its head, where the newest was added.
      const x = [...this.exps].reverse().find((y) => sameTuple(y.tuple, t));
      if (x) this.unexpect(x);
    }
  }

  /** A GRE entry is destroyed: its master's keymap pair goes with it (destroy_gre_conntrack, KM-6a). */
  private killEntry(e: (typeof this.entries)[number]): void {
    this.entries = this.entries.filter((x) => x !== e);
    if (e.master) this.keymapDestroy(e.master);
  }

  /**
   * A GRE datagram arriving at the router (PREROUTING): its tuple, and the entry it makes or
   * meets. The tuple is built (gre_pkt_to_tuple, with the keymap as it is) before the lookup, and
   * the lookup reaps an expired entry it meets (nf_conntrack_find: nf_ct_gc_expired), whose
   * master then loses its keymap pair (KM-6a): so the datagram that meets its expired entry
   * still carries the keys that entry's death is removing, and makes a new entry with them.
   */
  data(packet: Uint8Array): DataEffect {
    const verdict = linuxVerdict(packet, { keymap: this.keymap() });
    const t = verdict.tuple;
    if (!t || verdict.outcome !== 'tracked' || t.proto !== 47) return { verdict, entry: 'none' };
    const met = this.entries.find((e) => sameTuple(e.orig, t) || sameTuple(e.reply, t));
    if (met && !met.expired) return { verdict, entry: 'existing' };
    if (met) this.killEntry(met);
    // init_conntrack: a new entry looks for an expectation with its tuple and takes it.
    const x = this.exps.find((e) => sameTuple(e.tuple, t));
    if (!x) {
      this.entries.push({ orig: t, reply: invertTuple(t) });
      return { verdict, entry: 'new' };
    }
    this.unexpect(x);
    const conn = this.conns.get(x.master)!;
    let reply = invertTuple(t);
    // pptp_expectfn: the other direction's expectation is no longer needed. Without NAT it is
    // the inverted tuple; under NAT (pptp_nat_expected) the tuple of the other expectation, and
    // a PNS -> PAC data entry is source-NATed with the NATed PNS call ID as its key, so its
    // reply tuple is that expectation's tuple (NAT-6).
    let other = invertTuple(x.tuple);
    const { c, h } = conn;
    if (c.natCallId !== undefined) {
      const pnsToPac = sameTuple(x.tuple, gre(c.pns, c.pac, h.natOrigPns, h.pacCallId));
      other = pnsToPac ? gre(c.reply.src, c.reply.dst, h.pacCallId, h.pnsCallId) : gre(c.pns, c.pac, h.natOrigPns, h.pacCallId);
      if (pnsToPac) reply = other;
    }
    const y = [...this.exps].reverse().find((e) => sameTuple(e.tuple, other));
    if (y) this.unexpect(y);
    this.entries.push({ orig: t, reply, master: x.master });
    return { verdict, entry: 'new', master: x.master };
  }

  /** Every GRE entry has been idle past its timeout (reference K9): expired, not yet reaped. */
  expireGreEntries(): void {
    for (const e of this.entries) e.expired = true;
  }

  /** The gc worker, or a read of the table (/proc/net/nf_conntrack, `conntrack -L`), reaps the expired entries. */
  reapExpired(): GreEntry[] {
    const gone = this.entries.filter((e) => e.expired);
    for (const e of gone) this.killEntry(e);
    return gone;
  }

  /** `conntrack -D -p gre` (or a flush): every GRE entry is destroyed. */
  deleteGreEntries(): GreEntry[] {
    const gone = this.entries.slice();
    for (const e of gone) this.killEntry(e);
    return gone;
  }

  /** The control connection's entry is destroyed (helper destroy = pptp_destroy_siblings, KM-6c). */
  destroyControl(id: string): void {
    const conn = this.conns.get(id);
    if (!conn) return;
    this.destroySiblings(id, conn, []);
    for (const e of this.exps.filter((x) => x.master === id)) this.unexpect(e);
    this.conns.delete(id);
  }
}
