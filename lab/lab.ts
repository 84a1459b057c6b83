// The live kernel as an implementation. Two namespaces joined by a veth pair: the sender's
// injector writes Ethernet frames, the receiver runs conntrack behind the ruleset of
// ruleset.ts. A batch is: inject the datagrams, a canary and a sentinel; wait for the
// sentinel's entry; read the table, the device counters and the ruleset's records; flush.
// See README.md for the design and its measured throughput.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { formatIPv4 } from '../spec/address.ts';
import { attributeAlone, attributeBatch, recordsOf } from './attribute.ts';
import { findTools, INSTALL_HINT, type Tools } from './available.ts';
import { killAndWaitSync, registerCleanup } from './cleanup.ts';
import { deviceCounters, parseConntrackTable, type TableEntry } from './conntrack-table.ts';
import { runOk } from './exec.ts';
import { RX_MAC, TX_MAC } from './frame.ts';
import { Injector } from './injector.ts';
import { deleteNamespaceSync, newName, sweepStale } from './netns.ts';
import { parseListing, type Listing } from './nft-text.ts';
import { NsShell } from './ns-shell.ts';
import { SENTINEL_KEY, canaryPacket, sentinelPacket } from './own-packets.ts';
import { AddressPlan, RX_ADDR4, SECOND_PASS_PREFIX4, SECOND_PASS_PREFIX6, type Prepared } from './rewrite.ts';
import { DELIVERED, MAX_BATCH, RX_IF, TABLE, TX_IF, flushCommands, rulesetText } from './ruleset.ts';
import { LabError, type KernelObservation, type Lab, type LabOptions, type LabStats } from './types.ts';

/** A shell command setting namespace sysctls through /proc/sys, which needs no procps. */
function sysctl(settings: Record<string, number>): string {
  return Object.entries(settings).map(([k, v]) => `echo ${v} > /proc/sys/${k.replaceAll('.', '/')}`).join(' && ');
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
  private readonly canary = canaryPacket();
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
    await runOk(ip, ['netns', 'exec', tx, 'sh', '-c', sysctl({ 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 })]);
    const mac = (m: Uint8Array) => Array.from(m, (b) => b.toString(16).padStart(2, '0')).join(':');
    // MTU 65535 (ETH_MAX_MTU) on both ends: any IP datagram, padding included, fits in a frame.
    await runOk(ip, ['-n', tx, 'link', 'add', TX_IF, 'address', mac(TX_MAC), 'mtu', '65535', 'type', 'veth',
      'peer', 'name', RX_IF, 'netns', rx, 'address', mac(RX_MAC), 'mtu', '65535']);
    this.shell = new NsShell(ip, rx);
    await this.shell.ok(`${this.tools.nft} -f - <<'GREC_EOF'\n${rulesetText({ sentinel4: SENTINEL_KEY, second4: SECOND_PASS_PREFIX4, second6: SECOND_PASS_PREFIX6 })}GREC_EOF`);
    await this.shell.ok([
      // Nothing may stop a datagram after conntrack built its tuple but before it is confirmed,
      // other than what the contract calls built-unconfirmed: no reverse-path filter.
      sysctl({
        'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0, 'net.ipv4.conf.all.accept_local': 1,
        [`net.ipv4.conf.${RX_IF}.rp_filter`]: 0, [`net.ipv6.conf.${RX_IF}.accept_dad`]: 0,
      }),
      // Held fragments of earlier batches must never fill the reassembly memory (see canaryPacket):
      // 256 MiB instead of 4, and 5 s instead of 60 before a queue expires. Unique sources mean
      // no later datagram ever completes them.
      sysctl({
        'net.netfilter.nf_conntrack_frag6_high_thresh': 268435456, 'net.netfilter.nf_conntrack_frag6_low_thresh': 201326592,
        'net.netfilter.nf_conntrack_frag6_timeout': 5,
      }),
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
   * be tied to with certainty (it goes again alone). With `alone`, every record of the batch
   * other than the lab's own belongs to its only datagram.
   */
  private async runBatch(items: readonly Prepared[], alone: boolean): Promise<(KernelObservation | undefined)[]> {
    const expected = items.length + 2;
    for (let attempt = 0; ; attempt++) {
      this.stats.batches++;
      const sent = await this.injector!.send([...items.map((p) => p.sent), this.canary, this.sentinel]);
      if (sent.refused.length > 0) {
        await this.listAndFlush();
        const list = sent.refused.map((r) => `#${r.index} (${items[r.index]?.sent.length ?? 'lab datagram'} bytes): errno ${r.errno}`);
        throw new LabError(`the sending socket refused ${list.join(', ')}`);
      }
      const dev = await this.readDevice();
      const arrived = dev.packets - this.devBefore.packets;
      const dropped = dev.dropped - this.devBefore.dropped;
      this.devBefore = dev;
      if (arrived !== expected || dropped !== 0) {
        // Frames lost before the IP layer (a full backlog queue) would look like not-seen. Give
        // the rest time to be processed, forget the batch, send it again.
        if (attempt >= 3) throw new LabError(`the receiver keeps losing frames: ${arrived} of ${expected} arrived, ${dropped} dropped`);
        this.stats.retries++;
        await new Promise((r) => setTimeout(r, 50));
        await this.listAndFlush();
        this.devBefore = await this.readDevice();
        continue;
      }
      const table = await this.waitForSentinel();
      const rec = recordsOf(await this.listAndFlush(), table);
      const result = alone ? [attributeAlone(items[0]!, rec)] : attributeBatch(items, rec);
      this.anomalies.push(...rec.anomalies);
      return result;
    }
  }

  /**
   * Reads the conntrack table until the sentinel's entry is in it. Frames are processed in the
   * order sent (injector.py), each to the end before the next, so every datagram of the batch
   * is through by then.
   */
  private async waitForSentinel(): Promise<Map<string, TableEntry[]>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const table = await this.readTable();
      if (table.has(SENTINEL_KEY)) return table;
      if (Date.now() > deadline) throw new LabError('the sentinel datagram never made it into the receiver\'s conntrack table');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** The ruleset's records of the batch; then everything is emptied for the next one. */
  private async listAndFlush(): Promise<Listing> {
    const cmds = [...flushCommands(), `reset counter inet ${TABLE} ${DELIVERED}`];
    // reset prints the old counter and conntrack -F (all families) reports on stderr even when
    // it succeeds: only exit codes count.
    const out = await this.shell!.ok(`${this.tools.nft} -n list table inet ${TABLE} && ${this.tools.nft} '${cmds.join('; ')}' >/dev/null && ${this.tools.conntrack} -F >/dev/null 2>&1`);
    return parseListing(out);
  }

  private async readTable(): Promise<Map<string, TableEntry[]>> {
    const text = await readFile(`/proc/${this.shell!.pid}/net/nf_conntrack`, 'utf8');
    const out = new Map<string, TableEntry[]>();
    for (const e of parseConntrackTable(text)) {
      const l = out.get(e.src);
      if (l) l.push(e);
      else out.set(e.src, [e]);
    }
    return out;
  }

  private async readDevice(): Promise<{ packets: number; dropped: number }> {
    const c = deviceCounters(await readFile(`/proc/${this.shell!.pid}/net/dev`, 'utf8'), RX_IF);
    if (!c) throw new LabError(`no ${RX_IF} in the receiver's /proc/net/dev`);
    return c;
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
    killAndWaitSync([this.injector?.pid, this.shell?.pid].filter((p): p is number => p !== undefined));
    deleteNamespaceSync(this.tools.ip, this.namespaces.rx);
    deleteNamespaceSync(this.tools.ip, this.namespaces.tx);
  }
}
