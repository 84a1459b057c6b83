// The live kernel as an implementation. Two namespaces joined by a veth pair: the sender's
// injector writes Ethernet frames, the receiver runs conntrack behind the ruleset of
// ruleset.ts. A batch is: inject the datagrams and a sentinel, wait for the sentinel, read what
// the receiver recorded, flush. See README.md for the design and its measured throughput.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Tuple } from '../spec/contract.ts';
import type { Outcome } from '../oracles/index.ts';
import { ipv4Checksum } from '../oracles/index.ts';
import { formatIPv4 } from '../spec/address.ts';
import { findTools, INSTALL_HINT, type Tools } from './available.ts';
import { registerCleanup } from './cleanup.ts';
import { runOk } from './exec.ts';
import { Injector } from './injector.ts';
import { deleteNamespaceSync, newName, sweepStale } from './netns.ts';
import { NsShell } from './ns-shell.ts';
import { numericValue, parseListing, type Listing } from './nft-text.ts';
import { deviceCounters, parseConntrackTable, type TableEntry } from './conntrack-table.ts';
import { AddressPlan, RX_ADDR4, SECOND_PASS_PREFIX4, SECOND_PASS_PREFIX6, SENTINEL_SRC4, type Prepared } from './rewrite.ts';
import { DELIVERED, MAX_BATCH, RX_IF, SETS, TABLE, TUPLE_MAPS, TX_IF, flushCommands, rulesetText } from './ruleset.ts';
import { RX_MAC, TX_MAC } from './frame.ts';

export interface KernelObservation {
  outcome: Outcome;
  /** The original tuple: from the table when tracked, from the ruleset's maps when built-unconfirmed. */
  tuple: Tuple | null;
  /** The datagram as injected, after the lab rewrote its addresses (rewrite.ts). */
  sentPacket: Uint8Array;
  detail?: string;
}

export interface LabOptions {
  /** Datagrams per batch (default 4096, at most 65535). */
  batchSize?: number;
}

export interface LabStats {
  packets: number;
  batches: number;
  /** Datagrams that had to be sent alone because nothing else could name their records. */
  alone: number;
  /** Batches sent again because the receiver lost frames before its IP layer. */
  retries: number;
  /** Milliseconds spent in observe(). */
  ms: number;
}

export interface Lab {
  observe(cases: readonly { packet: Uint8Array }[]): Promise<KernelObservation[]>;
  close(): Promise<void>;
  readonly namespaces: { readonly rx: string; readonly tx: string };
  readonly stats: LabStats;
  /** Records no datagram of a batch could account for, for diagnosis. */
  readonly anomalies: string[];
}

export class LabError extends Error {}

/** Everything of one batch the receiver recorded, by source address. */
interface Records {
  invalid: Set<string>;
  /** Built at prerouting, never delivered (the sentinel removed). */
  pending: Set<string>;
  odd: Set<string>;
  table: Map<string, TableEntry[]>;
  /** Built tuples of second-pass sources. */
  tuples: Map<string, Tuple>;
}

/** Every source with a record, the sentinel's excepted. */
function recordKeys(rec: Records): string[] {
  const all = new Set<string>([...rec.invalid, ...rec.pending, ...rec.odd, ...rec.table.keys()]);
  all.delete(SENTINEL_KEY);
  return [...all];
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
  if (entries.length > 0) return { outcome: 'tracked', tuple: entries[0]!.tuple, sentPacket, detail: `in the table: ${entries[0]!.line}${note}` };
  if (rec.pending.has(key)) {
    const t = rec.tuples.get(key) ?? null;
    return { outcome: 'built-unconfirmed', tuple: t, sentPacket, detail: `built at prerouting, never reached input${t ? '' : ' (tuple not recorded)'}${note}` };
  }
  if (rec.odd.has(key)) return { outcome: 'tracked', tuple: null, sentPacket, detail: `no entry in the table${note}` };
  return { outcome: 'not-seen', tuple: null, sentPacket, detail: 'never reached the conntrack hook' };
}

const SENTINEL_KEY = formatIPv4(SENTINEL_SRC4, 0);

/** The barrier: a plain GRE v0 datagram, tracked as soon as it reaches prerouting. */
function sentinelPacket(): Uint8Array {
  const p = Uint8Array.from([0x45, 0, 0, 24, 0x67, 0x72, 0, 0, 64, 47, 0, 0, ...SENTINEL_SRC4, ...RX_ADDR4, 0, 0, 0x08, 0]);
  const c = ipv4Checksum(p, 20);
  p[10] = c >> 8;
  p[11] = c & 0xff;
  return p;
}

export async function openLab(opts: LabOptions = {}): Promise<Lab> {
  const { tools, missing } = findTools();
  if (!tools) throw new LabError(`kernel lab: missing ${missing.join(', ')}; ${INSTALL_HINT}`);
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new LabError(`kernel lab: needs root on Linux; ${INSTALL_HINT}`);
  await sweepStale(tools.ip);
  const lab = new KernelLab(tools, opts);
  try {
    await lab.setup();
  } catch (e) {
    await lab.close();
    throw e;
  }
  return lab;
}

class KernelLab implements Lab {
  readonly namespaces = { rx: newName('rx'), tx: newName('tx') };
  readonly stats: LabStats = { packets: 0, batches: 0, alone: 0, retries: 0, ms: 0 };
  readonly anomalies: string[] = [];
  private readonly plan = new AddressPlan();
  private readonly batchSize: number;
  private readonly sentinel = sentinelPacket();
  private shell: NsShell | undefined;
  private injector: Injector | undefined;
  private readonly unregister: () => void;
  private closed = false;
  private busy = false;

  constructor(private readonly tools: Tools, opts: LabOptions) {
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? 4096, MAX_BATCH));
    // Registered before anything exists, so a failure half-way through setup is cleaned up too.
    this.unregister = registerCleanup(() => this.destroySync());
  }

  async setup(): Promise<void> {
    const ip = this.tools.ip;
    const { rx, tx } = this.namespaces;
    await runOk(ip, ['netns', 'add', rx]);
    await runOk(ip, ['netns', 'add', tx]);
    // The sender has no addresses and no IPv6, so it emits nothing (no ND, no MLD) of its own
    // that the receiver would have to tell apart from injected frames.
    await runOk(ip, ['netns', 'exec', tx, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const mac = (m: Uint8Array) => Array.from(m, (b) => b.toString(16).padStart(2, '0')).join(':');
    // MTU 65535 (ETH_MAX_MTU) on both ends: any IP datagram, padding included, fits in a frame.
    await runOk(ip, ['-n', tx, 'link', 'add', TX_IF, 'address', mac(TX_MAC), 'mtu', '65535', 'type', 'veth',
      'peer', 'name', RX_IF, 'netns', rx, 'address', mac(RX_MAC), 'mtu', '65535']);
    this.shell = new NsShell(ip, rx);
    await this.shell.ok(`${this.tools.nft} -f - <<'GREC_EOF'\n${rulesetText({ sentinel4: SENTINEL_KEY, second4: SECOND_PASS_PREFIX4, second6: SECOND_PASS_PREFIX6 })}GREC_EOF`);
    await this.shell.ok([
      // Nothing may stop a datagram after conntrack built its tuple but before it is confirmed,
      // other than what the contract calls built-unconfirmed: no reverse-path filter.
      'sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.accept_local=1',
      `sysctl -qw net.ipv4.conf.${RX_IF}.rp_filter=0 net.ipv6.conf.${RX_IF}.accept_dad=0`,
      `${ip} link set lo up`,
      `${ip} addr add ${formatIPv4(RX_ADDR4, 0)}/32 dev ${RX_IF}`,
      `${ip} addr add 2001:db8::2/128 dev ${RX_IF} nodad`,
      `${ip} link set ${RX_IF} up`,
    ].join(' && '));
    await runOk(ip, ['-n', tx, 'link', 'set', TX_IF, 'up']);
    this.injector = new Injector(ip, this.tools.python3, tx, TX_IF, process.pid % availableParallelism());
    this.devBefore = await this.readDevice();
  }

  async observe(cases: readonly { packet: Uint8Array }[]): Promise<KernelObservation[]> {
    if (this.closed) throw new LabError('lab is closed');
    if (this.busy) throw new LabError('observe() is already running on this lab');
    this.busy = true;
    const t0 = performance.now();
    try {
      const out = await this.observePass(cases.map((c) => this.plan.prepare(c.packet, 1)));
      // A built-unconfirmed datagram goes again from a second-pass source, whose tuple the
      // ruleset records field by field; the first pass records no tuple to stay fast.
      const again = out.flatMap((o, i) => (o.outcome === 'built-unconfirmed' ? [i] : []));
      if (again.length > 0) {
        const second = await this.observePass(again.map((i) => this.plan.prepare(cases[i]!.packet, 2)));
        again.forEach((idx, j) => {
          const o = second[j]!;
          out[idx] = o.outcome === 'built-unconfirmed' ? o : { ...o, detail: `first pass: built-unconfirmed; second pass: ${o.detail ?? o.outcome}` };
        });
      }
      this.stats.packets += cases.length;
      return out;
    } finally {
      this.busy = false;
      this.stats.ms += performance.now() - t0;
    }
  }

  private async observePass(prepared: readonly Prepared[]): Promise<KernelObservation[]> {
    const out = new Array<KernelObservation | undefined>(prepared.length);
    const alone: number[] = [];
    for (const batch of this.batches(prepared)) {
      const r = await this.runBatch(batch.map((i) => prepared[i]!), false);
      batch.forEach((idx, j) => {
        const o = r[j];
        if (o) out[idx] = o;
        else alone.push(idx);
      });
    }
    for (const idx of alone) {
      this.stats.alone++;
      const [o] = await this.runBatch([prepared[idx]!], true);
      out[idx] = o!;
    }
    return out as KernelObservation[];
  }

  /** Indices in batches of at most batchSize. */
  private *batches(prepared: readonly Prepared[]): Generator<number[]> {
    for (let i = 0; i < prepared.length; i += this.batchSize) {
      yield Array.from({ length: Math.min(this.batchSize, prepared.length - i) }, (_, j) => i + j);
    }
  }

  private devBefore: { packets: number; dropped: number } = { packets: 0, dropped: 0 };

  /**
   * One batch: the observation of each datagram, or undefined for a datagram that no record can
   * be attributed to with certainty (it goes again alone). With `alone`, every record of the
   * batch other than the sentinel's belongs to its only datagram.
   */
  private async runBatch(items: readonly Prepared[], alone: boolean): Promise<(KernelObservation | undefined)[]> {
    for (let attempt = 0; ; attempt++) {
      this.stats.batches++;
      const sent = await this.injector!.send([...items.map((p) => p.sent), this.sentinel]);
      if (sent.refused.length > 0) {
        await this.flush();
        const list = sent.refused.map((r) => `#${r.index} (${items[r.index]?.sent.length ?? 'sentinel'} bytes): errno ${r.errno}`);
        throw new LabError(`the sending socket refused ${list.join(', ')}`);
      }
      const listing = await this.waitForSentinel();
      const dev = await this.readDevice();
      const arrived = dev.packets - this.devBefore.packets;
      const dropped = dev.dropped - this.devBefore.dropped;
      this.devBefore = dev;
      if (arrived !== items.length + 1 || dropped !== 0) {
        // Frames lost before the IP layer (a full backlog queue) would look like not-seen.
        await this.flush();
        if (attempt >= 3) throw new LabError(`the receiver keeps losing frames: ${arrived} of ${items.length + 1} arrived, ${dropped} dropped`);
        this.stats.retries++;
        continue;
      }
      const rec = this.records(listing, await this.readTable());
      const result = alone ? [this.attributeAlone(items[0]!, rec)] : this.attribute(items, rec);
      await this.flush();
      return result;
    }
  }

  private records(l: Listing, table: Map<string, TableEntry[]>): Records {
    const keys = (fam: 4 | 6, which: keyof (typeof SETS)[4]) => [...(l.elements.get(SETS[fam][which])?.keys() ?? [])];
    const set = (which: keyof (typeof SETS)[4]) => new Set([...keys(4, which), ...keys(6, which)]);
    const tuples = new Map<string, Tuple>();
    for (const fam of [4, 6] as const) {
      const m = TUPLE_MAPS[fam];
      const get = (name: string, k: string) => l.elements.get(name)?.get(k);
      for (const [k, protoText] of l.elements.get(m.proto) ?? []) {
        const proto = numericValue(protoText);
        const dst = get(m.dst, k);
        if (proto === undefined || dst === undefined) continue;
        tuples.set(k, { src: k, dst, proto, srckey: numericValue(get(m.srckey, k)) ?? 0, dstkey: numericValue(get(m.dstkey, k)) ?? 0 });
      }
    }
    let entries = 0;
    for (const e of table.values()) entries += e.length;
    const delivered = l.counters.get(DELIVERED) ?? 0;
    if (delivered !== entries) {
      // A datagram that reached input as new but left no entry would otherwise pass for not-seen.
      this.anomalies.push(`${delivered} new datagrams reached input but the table holds ${entries} entries`);
    }
    const pending = set('pending');
    pending.delete(SENTINEL_KEY);
    return { invalid: set('invalid'), pending, odd: set('odd'), table, tuples };
  }

  private attribute(items: readonly Prepared[], rec: Records): (KernelObservation | undefined)[] {
    // A key names a datagram only when no other datagram of the batch has it: kept IPv6
    // sources (::1, multicast) can repeat, and the sentinel's source is never a datagram's.
    const count = new Map<string, number>();
    for (const p of items) if (p.key !== undefined) count.set(p.key, (count.get(p.key) ?? 0) + 1);
    const owns = (p: Prepared) => p.key !== undefined && p.key !== SENTINEL_KEY && count.get(p.key) === 1;
    const strangers = recordKeys(rec).filter((k) => count.get(k) !== 1);
    if (strangers.length > 0 && items.every(owns)) {
      this.anomalies.push(`records of sources no datagram of the batch has: ${strangers.slice(0, 10).join(', ')}`);
    }
    return items.map((p) => {
      if (owns(p)) return observation(p, p.key!, rec);
      // A datagram nothing names is not-seen when every record is accounted for; otherwise it
      // goes again alone.
      return strangers.length > 0 ? undefined : { outcome: 'not-seen', tuple: null, sentPacket: p.sent, detail: 'left no record' };
    });
  }

  private attributeAlone(p: Prepared, rec: Records): KernelObservation {
    const keys = recordKeys(rec);
    if (keys.length === 0) return { outcome: 'not-seen', tuple: null, sentPacket: p.sent, detail: 'left no record' };
    const o = observation(p, keys[0]!, rec);
    return keys.length > 1 ? { ...o, detail: `${o.detail ?? ''}; records of ${keys.length} sources: ${keys.join(', ')}` } : o;
  }

  /** Polls the ruleset until the sentinel shows: then every earlier frame has been processed. */
  private async waitForSentinel(): Promise<Listing> {
    const cmd = `${this.tools.nft} -n list table inet ${TABLE}`;
    const deadline = Date.now() + 5000;
    for (;;) {
      const l = parseListing(await this.shell!.ok(cmd));
      if (l.elements.get(SETS[4].pending)?.has(SENTINEL_KEY)) return l;
      if (Date.now() > deadline) throw new LabError('the sentinel datagram never reached the receiver\'s conntrack hook');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  private async readTable(): Promise<Map<string, TableEntry[]>> {
    const text = await readFile(`/proc/${this.shell!.pid}/net/nf_conntrack`, 'utf8');
    const out = new Map<string, TableEntry[]>();
    for (const e of parseConntrackTable(text)) {
      const l = out.get(e.tuple.src);
      if (l) l.push(e);
      else out.set(e.tuple.src, [e]);
    }
    return out;
  }

  private async readDevice(): Promise<{ packets: number; dropped: number }> {
    const c = deviceCounters(await readFile(`/proc/${this.shell!.pid}/net/dev`, 'utf8'), RX_IF);
    if (!c) throw new LabError(`no ${RX_IF} in the receiver's /proc/net/dev`);
    return c;
  }

  private async flush(): Promise<void> {
    const cmds = flushCommands();
    cmds.push(`reset counter inet ${TABLE} ${DELIVERED}`);
    const ct = this.tools.conntrack;
    // reset prints the old counter and conntrack -F reports on stderr even when it succeeds:
    // only exit codes count.
    await this.shell!.ok(`${this.tools.nft} '${cmds.join('; ')}' >/dev/null && ${ct} -F -f ipv4 >/dev/null 2>&1 && ${ct} -F -f ipv6 >/dev/null 2>&1`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.injector?.close();
    this.shell?.close();
    // Deleting the names is enough: the namespaces, their veth and nft table go with their last process.
    this.unregister();
  }

  private destroySync(): void {
    this.closed = true;
    for (const pid of [this.injector?.pid, this.shell?.pid]) {
      if (pid === undefined) continue;
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    deleteNamespaceSync(this.tools.ip, this.namespaces.rx);
    deleteNamespaceSync(this.tools.ip, this.namespaces.tx);
  }
}
