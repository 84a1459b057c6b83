// From what the receiver recorded in one batch to one observation per datagram. Pure: the
// records come in as data (nft listing, conntrack table), observations go out.
import type { Tuple } from '../spec/contract.ts';
import { contractAddress } from './address-key.ts';
import type { TableEntry } from './conntrack-table.ts';
import { numericValue, type Listing } from './nft-text.ts';
import { CANARY_KEY, OWN_KEYS } from './own-packets.ts';
import type { Prepared } from './rewrite.ts';
import { DELIVERED, SETS, TUPLE_MAPS } from './ruleset.ts';
import { LabError, type KernelObservation } from './types.ts';

/** Everything of one batch the receiver recorded, by source (address-key.ts). */
export interface Records {
  invalid: Set<string>;
  /** Built at prerouting, never delivered. */
  pending: Set<string>;
  odd: Set<string>;
  table: Map<string, TableEntry[]>;
  /** Built tuples of second-pass sources. */
  tuples: Map<string, Tuple>;
  /** Inconsistencies found on the way. */
  anomalies: string[];
}

export function recordsOf(l: Listing, tableIn: Map<string, TableEntry[]>): Records {
  if (!tableIn.has(CANARY_KEY)) {
    throw new LabError('the canary IPv6 fragment was not tracked: IPv6 reassembly memory (net.netfilter.nf_conntrack_frag6_high_thresh) is full, so every datagram with a Fragment header would look not-seen');
  }
  const anomalies: string[] = [];
  const set = (which: keyof (typeof SETS)[4]) => new Set([4, 6].flatMap((f) => [...(l.elements.get(SETS[f as 4 | 6][which])?.keys() ?? [])]));
  const tuples = new Map<string, Tuple>();
  for (const fam of [4, 6] as const) {
    const m = TUPLE_MAPS[fam];
    const get = (name: string, k: string) => l.elements.get(name)?.get(k);
    for (const [k, protoText] of l.elements.get(m.proto) ?? []) {
      const proto = numericValue(protoText);
      const dst = get(m.dst, k);
      if (proto === undefined || dst === undefined) continue;
      tuples.set(k, { src: contractAddress(k), dst: contractAddress(dst), proto, srckey: numericValue(get(m.srckey, k)) ?? 0, dstkey: numericValue(get(m.dstkey, k)) ?? 0 });
    }
  }
  let entries = 0;
  for (const e of tableIn.values()) entries += e.length;
  const delivered = l.counters.get(DELIVERED) ?? 0;
  // A datagram that reached input as new but left no entry would otherwise pass for not-seen.
  if (delivered !== entries) anomalies.push(`${delivered} new datagrams reached input but the table holds ${entries} entries`);
  const table = new Map(tableIn);
  const pending = set('pending');
  for (const k of OWN_KEYS) { pending.delete(k); table.delete(k); }
  return { invalid: set('invalid'), pending, odd: set('odd'), table, tuples, anomalies };
}

/** Every source with a record, the lab's own excepted. */
function recordKeys(rec: Records): string[] {
  const all = new Set<string>([...rec.invalid, ...rec.pending, ...rec.odd, ...rec.table.keys()]);
  for (const k of OWN_KEYS) all.delete(k);
  return [...all];
}

/**
 * One observation per datagram, or undefined for a datagram no record can be tied to with
 * certainty (it goes again alone). A key names a datagram only when no other datagram of the
 * batch has it: kept IPv6 sources (::1, multicast) can repeat.
 */
export function attributeBatch(items: readonly Prepared[], rec: Records): (KernelObservation | undefined)[] {
  const count = new Map<string, number>();
  for (const p of items) if (p.key !== undefined) count.set(p.key, (count.get(p.key) ?? 0) + 1);
  const owns = (p: Prepared) => p.key !== undefined && !OWN_KEYS.has(p.key) && count.get(p.key) === 1;
  const strangers = recordKeys(rec).filter((k) => count.get(k) !== 1);
  if (strangers.length > 0 && items.every(owns)) {
    rec.anomalies.push(`records of sources no datagram of the batch has: ${strangers.slice(0, 10).join(', ')}`);
  }
  return items.map((p) => {
    if (owns(p)) return observation(p, p.key!, rec);
    // Nothing names it: not-seen when every record is accounted for, else it goes alone.
    return strangers.length > 0 ? undefined : { outcome: 'not-seen', tuple: null, sentPacket: p.sent, detail: 'left no record' };
  });
}

/** The only datagram of its batch: every record is its own. */
export function attributeAlone(p: Prepared, rec: Records): KernelObservation {
  const keys = recordKeys(rec);
  if (keys.length === 0) return { outcome: 'not-seen', tuple: null, sentPacket: p.sent, detail: 'left no record' };
  const o = observation(p, keys[0]!, rec);
  return keys.length > 1 ? { ...o, detail: `${o.detail ?? ''}; records of ${keys.length} sources: ${keys.join(', ')}` } : o;
}

function observation(p: Prepared, key: string, rec: Records): KernelObservation {
  const sentPacket = p.sent;
  const entries = rec.table.get(key) ?? [];
  const notes: string[] = [];
  if (entries.length > 1) notes.push(`${entries.length} entries: ${entries.map((e) => e.line).join(' | ')}`);
  if (rec.odd.has(key)) notes.push('ct state established, related or untracked at prerouting');
  const note = notes.length ? `; ${notes.join('; ')}` : '';
  if (rec.invalid.has(key)) {
    const also = entries.length ? `; yet in the table: ${entries[0]!.line}` : '';
    return { outcome: 'invalid', tuple: null, sentPacket, detail: `ct state invalid: nf_conntrack_in attached no entry${also}${note}` };
  }
  if (entries.length > 0) {
    const e = entries[0]!;
    const tuple = { src: contractAddress(e.src), dst: contractAddress(e.dst), proto: e.proto, srckey: e.srckey, dstkey: e.dstkey };
    return { outcome: 'tracked', tuple, sentPacket, detail: `in the table: ${e.line}${note}` };
  }
  if (rec.pending.has(key)) {
    const t = rec.tuples.get(key) ?? null;
    return { outcome: 'built-unconfirmed', tuple: t, sentPacket, detail: `built at prerouting, never reached input${t ? '' : ' (tuple not recorded)'}${note}` };
  }
  if (rec.odd.has(key)) return { outcome: 'tracked', tuple: null, sentPacket, detail: `no entry in the table${note}` };
  return { outcome: 'not-seen', tuple: null, sentPacket, detail: 'never reached the conntrack hook' };
}
