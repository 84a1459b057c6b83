// `analyze`: a capture through the kernel's eyes, for operators. Which GRE flows it holds (outer
// addresses, version, the RFC 2890 key of v0, the PPTP call id of v1), the conntrack tuple each
// datagram gets, which entries those tuples make, and where distinct tunnels collapse into one
// entry (Linux ignores the v0 key: reference sheet rule GRE-2). Returns data; text.ts words it.
import { readCapture, ipDatagramOf, type CaptureInput } from '../capture/index.ts';
import type { Tuple } from '../spec/contract.ts';
import { formatIPv4, formatIPv6 } from '../spec/address.ts';
import type { RuleId } from '../spec/rules.ts';
import { invertTuple, formatConntrackL, type Outcome } from '../oracles/index.ts';
import { capturedVerdict, greOffset, nonFirstFragment } from './gre-datagram.ts';

/** The GRE header fields an operator recognises, read with bounds checks. */
export interface GreFields {
  /** flags & 7; undefined when fewer than 2 GRE bytes were captured. */
  readonly version: number | undefined;
  readonly checksum: boolean;
  readonly routing: boolean;
  readonly keyPresent: boolean;
  readonly sequence: boolean;
  readonly protocol: number | undefined;
  /** v0 with K set: the 32-bit RFC 2890 key (undefined when K is clear or the field was not captured). */
  readonly key: number | undefined;
  /** v1: the call id at GRE bytes 6-7. */
  readonly callId: number | undefined;
}

export function greFields(ip: Uint8Array, off: number): GreFields {
  const u8 = (i: number) => (off + i < ip.length ? ip[off + i] : undefined);
  const u16 = (i: number) => { const a = u8(i), b = u8(i + 1); return a === undefined || b === undefined ? undefined : (a << 8) | b; };
  const flags = u16(0);
  const version = flags === undefined ? undefined : flags & 7;
  const checksum = flags !== undefined && (flags & 0x8000) !== 0;
  const routing = flags !== undefined && (flags & 0x4000) !== 0;
  const keyPresent = flags !== undefined && (flags & 0x2000) !== 0;
  const sequence = flags !== undefined && (flags & 0x1000) !== 0;
  // RFC 1701/2784: checksum and offset (4 bytes) are there when C or R is set, then the key.
  const keyAt = 4 + (checksum || routing ? 4 : 0);
  const hi = u16(keyAt), lo = u16(keyAt + 2);
  const key = version === 0 && keyPresent && hi !== undefined && lo !== undefined ? hi * 65536 + lo : undefined;
  return { version, checksum, routing, keyPresent, sequence, protocol: u16(2), key, callId: version === 1 ? u16(6) : undefined };
}

export interface AnalyzedPacket {
  readonly index: number;
  readonly offset: number;
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly gre: GreFields;
  /** 'unknown': cut by the snapshot length before bytes the kernel reads. */
  readonly outcome: Outcome | 'unknown';
  readonly tuple: Tuple | null;
  readonly decidedBy: RuleId | undefined;
  readonly reason: string;
  readonly flow: number;
  /** The conntrack entry the tuple creates or matches (tracked and built-unconfirmed). */
  readonly entry: number | undefined;
}

export interface Flow {
  readonly id: number;
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  /** GRE version, or undefined for datagrams too short to have one. */
  readonly version: number | undefined;
  /** v0: the RFC 2890 key, null when the K bit is clear. */
  readonly key: number | null | undefined;
  /** v1: the call id. */
  readonly callId: number | undefined;
  readonly protocols: number[];
  readonly packets: number;
  readonly firstRecord: number;
  readonly lastRecord: number;
  readonly outcomes: Partial<Record<Outcome | 'unknown', number>>;
  /** Every distinct tuple the flow's datagrams got. */
  readonly tuples: Tuple[];
  readonly entries: number[];
}

export interface Entry {
  readonly id: number;
  /** Original direction: the tuple of the datagram that created it. */
  readonly tuple: Tuple;
  readonly reply: Tuple;
  /** Seen in the reply direction too. */
  readonly replied: boolean;
  /** As `conntrack -L` shows it. */
  readonly conntrackL: string;
  readonly packets: number;
  readonly flows: number[];
  /** Some of its datagrams were built but never confirmed (L3-5): those do not show in the table. */
  readonly unconfirmed: number;
}

/** Distinct tunnels (different v0 keys, or a key and none, in one direction) sharing one entry. */
export interface Collision {
  readonly entry: number;
  readonly hosts: readonly [string, string];
  readonly family: 4 | 6;
  /** The flows that collapse, each with its key. */
  readonly flows: readonly { readonly flow: number; readonly src: string; readonly dst: string; readonly key: number | null }[];
}

export interface Analysis {
  readonly file: string;
  readonly records: number;
  readonly ipDatagrams: number;
  readonly greDatagrams: number;
  readonly packets: AnalyzedPacket[];
  readonly flows: Flow[];
  readonly entries: Entry[];
  readonly collisions: Collision[];
  /** Flows with a v0 key: the key does not reach the tuple. */
  readonly keyedV0Flows: number[];
  /** Flows conntrack counts invalid (e.g. v1 with a protocol other than PPP). */
  readonly invalidFlows: number[];
  /** Flows conntrack never sees (IP layer drops, fragments held). */
  readonly unseenFlows: number[];
  /** Flows with datagrams whose answer cannot be known. */
  readonly unknownFlows: number[];
}

function tupleKey(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.dst}|${t.srckey}|${t.dstkey}`;
}

function flowKey(family: number, src: string, dst: string, g: GreFields): string {
  if (g.version === 0) return `${family}|${src}|${dst}|v0|${g.key ?? (g.keyPresent ? 'cut' : 'none')}`;
  if (g.version === 1) return `${family}|${src}|${dst}|v1|${g.callId ?? 'cut'}`;
  return `${family}|${src}|${dst}|v${g.version ?? '?'}`;
}

interface MutableFlow extends Omit<Flow, 'protocols' | 'packets' | 'lastRecord' | 'outcomes' | 'tuples' | 'entries'> {
  protocols: number[]; packets: number; lastRecord: number; outcomes: Partial<Record<Outcome | 'unknown', number>>; tuples: Tuple[]; entries: number[];
}
interface MutableEntry { id: number; tuple: Tuple; replied: boolean; packets: number; flows: number[]; unconfirmed: number }

export async function analyzeCapture(input: CaptureInput, opts: { name?: string } = {}): Promise<Analysis> {
  const file = typeof input === 'string' ? input : opts.name ?? '<stream>';
  const packets: AnalyzedPacket[] = [];
  const flows: MutableFlow[] = [];
  const flowIds = new Map<string, number>();
  const entries: MutableEntry[] = [];
  const entryIds = new Map<string, { id: number; reply: boolean }>();
  let records = 0, ipDatagrams = 0;
  for await (const r of readCapture(input, opts.name !== undefined ? { name: opts.name } : {})) {
    records++;
    const d = ipDatagramOf(r);
    if ('skip' in d) continue;
    ipDatagrams++;
    const off = greOffset(d.ip);
    if (off === undefined) continue;
    const family = d.ip[0]! >> 4 === 4 ? 4 : 6;
    const src = family === 4 ? formatIPv4(d.ip, 12) : formatIPv6(d.ip, 8);
    const dst = family === 4 ? formatIPv4(d.ip, 16) : formatIPv6(d.ip, 24);
    // A non-first fragment has no GRE header: its bytes there are the middle of a payload.
    const gre = nonFirstFragment(d.ip) ? greFields(d.ip, d.ip.length) : greFields(d.ip, off);
    const cv = capturedVerdict(d.ip, d.wireLength);
    const fk = flowKey(family, src, dst, gre);
    let fid = flowIds.get(fk);
    if (fid === undefined) {
      fid = flows.length + 1;
      flowIds.set(fk, fid);
      flows.push({
        id: fid, family, src, dst, version: gre.version,
        key: gre.version === 0 ? (gre.key ?? (gre.keyPresent ? undefined : null)) : undefined,
        callId: gre.callId, protocols: [], packets: 0, firstRecord: r.index, lastRecord: r.index, outcomes: {}, tuples: [], entries: [],
      });
    }
    const flow = flows[fid - 1]!;
    flow.packets++;
    flow.lastRecord = r.index;
    if (gre.protocol !== undefined && !flow.protocols.includes(gre.protocol)) flow.protocols.push(gre.protocol);
    const outcome = cv.known ? cv.verdict.outcome : 'unknown';
    flow.outcomes[outcome] = (flow.outcomes[outcome] ?? 0) + 1;
    const tuple = cv.known ? cv.verdict.tuple : null;
    let entry: number | undefined;
    if (tuple) {
      if (!flow.tuples.some((t) => tupleKey(t) === tupleKey(tuple))) flow.tuples.push(tuple);
      const hit = entryIds.get(tupleKey(tuple));
      let e: MutableEntry;
      if (hit) {
        e = entries[hit.id - 1]!;
        if (hit.reply) e.replied = true;
      } else {
        e = { id: entries.length + 1, tuple, replied: false, packets: 0, flows: [], unconfirmed: 0 };
        entries.push(e);
        entryIds.set(tupleKey(tuple), { id: e.id, reply: false });
        entryIds.set(tupleKey(invertTuple(tuple)), { id: e.id, reply: true });
      }
      e.packets++;
      if (outcome === 'built-unconfirmed') e.unconfirmed++;
      if (!e.flows.includes(fid)) e.flows.push(fid);
      if (!flow.entries.includes(e.id)) flow.entries.push(e.id);
      entry = e.id;
    }
    packets.push({
      index: r.index, offset: r.offset, family, src, dst, gre, outcome, tuple,
      decidedBy: cv.known ? cv.verdict.decidedBy : undefined,
      reason: cv.known ? cv.verdict.reason : cv.reason,
      flow: fid, entry,
    });
  }
  const doneEntries: Entry[] = entries.map((e) => ({
    id: e.id, tuple: e.tuple, reply: invertTuple(e.tuple), replied: e.replied,
    // nf_conntrack_gre_packet: once both directions were seen, the stream timeout (180 s) and ASSURED.
    conntrackL: formatConntrackL(e.tuple, e.replied ? { unreplied: false, assured: true, timeout: 179 } : {}),
    packets: e.packets, flows: e.flows, unconfirmed: e.unconfirmed,
  }));
  const outFlows: Flow[] = flows.map((f) => ({ ...f }));
  return {
    file, records, ipDatagrams, greDatagrams: packets.length, packets, flows: outFlows, entries: doneEntries,
    collisions: collisionsOf(doneEntries, outFlows),
    keyedV0Flows: outFlows.filter((f) => f.version === 0 && typeof f.key === 'number').map((f) => f.id),
    invalidFlows: outFlows.filter((f) => (f.outcomes.invalid ?? 0) > 0).map((f) => f.id),
    unseenFlows: outFlows.filter((f) => (f.outcomes['not-seen'] ?? 0) > 0).map((f) => f.id),
    unknownFlows: outFlows.filter((f) => (f.outcomes.unknown ?? 0) > 0).map((f) => f.id),
  };
}

/**
 * An entry is a collision when v0 flows in one direction with different keys (or a key and no
 * key) share it: those are distinct tunnels to their endpoints. Different keys in the two
 * directions alone may be one tunnel with an input and an output key (ip tunnel ikey/okey), so
 * they count only when one direction itself has two.
 */
function collisionsOf(entries: readonly Entry[], flows: readonly Flow[]): Collision[] {
  const out: Collision[] = [];
  for (const e of entries) {
    const v0 = e.flows.map((id) => flows[id - 1]!).filter((f) => f.version === 0 && f.key !== undefined);
    const byDirection = new Map<string, Set<number | null>>();
    for (const f of v0) {
      const dir = `${f.src}>${f.dst}`;
      if (!byDirection.has(dir)) byDirection.set(dir, new Set());
      byDirection.get(dir)!.add(f.key as number | null);
    }
    if (![...byDirection.values()].some((keys) => keys.size > 1)) continue;
    const [a, b] = [e.tuple.src, e.tuple.dst];
    out.push({
      entry: e.id, hosts: [a, b], family: v0[0]!.family,
      flows: v0.map((f) => ({ flow: f.id, src: f.src, dst: f.dst, key: f.key as number | null })),
    });
  }
  return out;
}
