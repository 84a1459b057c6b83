// The seed's scenario on the live kernel (issue "Kernel lab", part 4; reference sheet NAT-4,
// NAT-5): two hosts behind a MASQUERADE router each run a GRE v0 tunnel with their own RFC 2890
// key to one server, which echoes every datagram.
//
//   hosta 10.0.1.2 --lan0-+
//                          rtr (10.0.1.1 | 10.0.2.1 | 192.0.2.1 wan0, masquerade) --- srv 192.0.2.2
//   hostb 10.0.2.2 --lan1-+
//
// Variants: A plain MASQUERADE; B the raw-table NOTRACK rule (`iptables -t raw -A PREROUTING
// -p gre -j NOTRACK`, here nft `notrack` at raw priority); C NOTRACK plus stateless rewrites;
// D PPTP instead (GRE v1 with call IDs, control connections through the PPTP helper), both
// hosts even using the same PNS call ID. The server knows no route to the inside network, as
// in the seed. For each variant: what each host got back, what the server saw, the router's
// conntrack table and counters, the tuple conntrack built for every datagram, and the same
// predicted by the oracle (models/nat-router.ts) from the datagrams alone.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIPv4 } from '../spec/address.ts';
import type { Tuple } from '../spec/contract.ts';
import { diffAnswers } from '../runner/compare.ts';
import { Agent, type AgentEvent } from './agent.ts';
import { startCapture, type RunningCapture } from './capture.ts';
import { recorderDeclarations, recorderFlush, recorderRules, parseRecords, type GreRecord } from './gre-recorder.ts';
import { NatRouterModel, type Fate } from '../models/nat-router.ts';
import { NetLab } from './netlab.ts';
import { PptpModel } from '../models/pptp-helper.ts';
import * as wire from '../models/pptp-wire.ts';
import { LabError } from './types.ts';

export const HOSTS = [
  { name: 'host A', role: 'hosta', addr: '10.0.1.2', gw: '10.0.1.1', key: 1, pns: 0x0a0a, pac: 0x0b01 },
  { name: 'host B', role: 'hostb', addr: '10.0.2.2', gw: '10.0.2.1', key: 2, pns: 0x0a0a, pac: 0x0b02 },
] as const;
export const OUTSIDE = '192.0.2.1';
export const SERVER = '192.0.2.2';
const TABLE = 'grec_nat';

export type VariantId = 'A' | 'B' | 'C' | 'D';
export const VARIANTS: Record<VariantId, { title: string; rule: string }> = {
  A: { title: 'GRE v0 through MASQUERADE (conntrack on)', rule: 'nft: oifname "wan0" masquerade' },
  B: { title: 'the same with the raw-table NOTRACK rule', rule: 'nft: type filter hook prerouting priority raw; ip protocol gre notrack  (= iptables -t raw -A PREROUTING -p gre -j NOTRACK)' },
  C: { title: 'NOTRACK plus stateless rewrites by key', rule: 'nft: postrouting ip protocol gre ip saddr set 192.0.2.1; prerouting ip protocol gre @th,32,32 <key> ip daddr set <host>' },
  D: { title: 'GRE v1 (PPTP call IDs) through MASQUERADE with the PPTP helper', rule: 'nft: ct helper "pptp" on tcp/1723; oifname "wan0" masquerade' },
};

/** What happened (or is predicted to happen) in one variant. */
export interface Outcome {
  /** Per host: datagrams sent, echoes back from the server carrying its own key / call ID. */
  readonly hosts: { name: string; sent: number; replies: number; foreign: number }[];
  /** What the server received, by source address and key (v0) or call ID (v1). */
  readonly server: Record<string, number>;
  /** Echoes the server could not send (no route back). */
  readonly serverNoRoute: number;
  /** The server's own datagrams into tunnel 2 (key 2): where they arrived. */
  readonly unsolicited?: { sent: number; hostA: number; hostB: number; neither: number };
  readonly insertFailed: number;
  readonly drop: number;
  /** The router's GRE entries, as conntrack -L prints the tuples. */
  readonly entries: string[];
}

export interface DatagramRow {
  readonly id: number;
  readonly what: string;
  readonly packet: Uint8Array;
  readonly kernel: GreRecord | undefined;
  readonly oracle: Tuple | null;
  readonly oracleFate: Fate;
  /** The keymap the router had when it arrived (PPTP variant). */
  readonly keymap: import('../spec/contract.ts').KeymapEntry[];
}

export interface VariantResult {
  readonly id: VariantId;
  readonly title: string;
  readonly rule: string;
  readonly kernel: Outcome;
  readonly oracle: Outcome;
  readonly datagrams: DatagramRow[];
  readonly differences: string[];
  readonly agree: boolean;
  readonly capture?: string;
}

export interface NatResult {
  readonly kernelRelease: string;
  readonly packets: number;
  readonly scenarios: VariantResult[];
}

function routerRuleset(v: VariantId): string {
  const raw = v === 'B' || v === 'C'
    ? ['  chain raw {', '    type filter hook prerouting priority raw; policy accept;', '    ip protocol gre notrack',
      ...(v === 'C' ? HOSTS.map((h) => `    iifname "wan0" ip protocol gre @th,32,32 ${h.key} ip daddr set ${h.addr}`) : []), '  }']
    : [];
  const post = v === 'C' ? ['  chain rewrite {', '    type filter hook postrouting priority srcnat; policy accept;', '    oifname "wan0" ip protocol gre ip saddr set 192.0.2.1', '  }'] : [];
  return [
    `table ip ${TABLE}`, `delete table ip ${TABLE}`, `table ip ${TABLE} {`,
    ...(v === 'D' ? ['  ct helper pptp { type "pptp" protocol tcp; l3proto ip; }'] : []),
    ...recorderDeclarations(),
    ...raw,
    '  chain pre {', '    type filter hook prerouting priority -150; policy accept;',
    ...(v === 'D' ? [`    tcp dport ${wire.PPTP_PORT} ct helper set "pptp"`] : []),
    ...recorderRules(), '  }',
    '  chain nat {', '    type nat hook postrouting priority srcnat; policy accept;', '    oifname "wan0" masquerade', '  }',
    ...post,
    '}',
  ].join('\n');
}

/** conntrack -S summed over CPUs. */
function statCounters(text: string): { insertFailed: number; drop: number } {
  let insertFailed = 0, drop = 0;
  for (const m of text.matchAll(/insert_failed=(\d+)/g)) insertFailed += Number(m[1]);
  for (const m of text.matchAll(/\bdrop=(\d+)/g)) drop += Number(m[1]);
  return { insertFailed, drop };
}

const hex = (n: number) => `0x${n.toString(16)}`;
/** The tuples of a /proc/net/nf_conntrack line, as conntrack -L shows them. */
function entryText(line: string): string {
  const at = line.indexOf(' src=');
  return line.slice(at + 1).replace(/ mark=.*$/, '').replace(/ zone=\d+/, '').trim();
}
export function tupleText(t: Tuple): string {
  return `src=${t.src} dst=${t.dst} srckey=${hex(t.srckey)} dstkey=${hex(t.dstkey)}`;
}

class NatLab {
  private idSeq = 0;
  private capture: RunningCapture | undefined;
  readonly agents = new Map<string, Agent>();

  private constructor(readonly net: NetLab) {}

  static async open(): Promise<NatLab> {
    const net = await NetLab.open(['hosta', 'hostb', 'rtr', 'srv']);
    try {
      await net.link({ a: { role: 'hosta', ifname: 'eth0', addrs: ['10.0.1.2/24'] }, b: { role: 'rtr', ifname: 'lan0', addrs: ['10.0.1.1/24'] } });
      await net.link({ a: { role: 'hostb', ifname: 'eth0', addrs: ['10.0.2.2/24'] }, b: { role: 'rtr', ifname: 'lan1', addrs: ['10.0.2.1/24'] } });
      await net.link({ a: { role: 'rtr', ifname: 'wan0', addrs: [`${OUTSIDE}/24`] }, b: { role: 'srv', ifname: 'eth0', addrs: [`${SERVER}/24`] } });
      for (const h of HOSTS) await net.sh(h.role, `${net.tools.ip} route add default via ${h.gw}`);
      // The server has no route to 10.0.0.0/8: it can only answer the router's outside address.
      await net.sysctl('rtr', { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
      const lab = new NatLab(net);
      for (const role of ['hosta', 'hostb', 'srv']) {
        const a = new Agent(net, role);
        lab.agents.set(role, a);
        await a.request({ op: 'echo', on: false });
      }
      return lab;
    } catch (e) {
      await net.close();
      throw e;
    }
  }

  agent(role: string): Agent {
    return this.agents.get(role)!;
  }

  nextId(): number {
    this.idSeq = (this.idSeq % 30000) + 1;
    return this.idSeq;
  }

  async prepare(v: VariantId, captureFile?: string): Promise<{ insertFailed: number; drop: number }> {
    await this.capture?.stop();
    this.capture = undefined;
    await this.net.nft('rtr', routerRuleset(v));
    await this.net.sh('rtr', `${this.net.tools.conntrack} -F >/dev/null 2>&1; ${this.net.tools.nft} '${recorderFlush(TABLE)}'`);
    for (const a of this.agents.values()) a.clearEvents();
    if (captureFile) this.capture = await startCapture(this.net, 'rtr', captureFile, `ip proto 47 or tcp port ${wire.PPTP_PORT}`);
    return statCounters(await this.net.sh('rtr', `${this.net.tools.conntrack} -S`));
  }

  async counters(): Promise<{ insertFailed: number; drop: number }> {
    return statCounters(await this.net.sh('rtr', `${this.net.tools.conntrack} -S`));
  }

  async greEntries(): Promise<string[]> {
    const text = await readFile(`/proc/${this.net.pid('rtr')}/net/nf_conntrack`, 'utf8');
    return text.split('\n').filter((l) => /\sgre\s+47\s/.test(l)).map(entryText).sort();
  }

  async records(): Promise<Map<number, GreRecord>> {
    return parseRecords(await this.net.sh('rtr', `${this.net.tools.nft} -n list table ip ${TABLE}`));
  }

  async stopCapture(): Promise<void> {
    await this.capture?.stop();
    this.capture = undefined;
  }

  async close(): Promise<void> {
    await this.stopCapture();
    await this.net.close();
  }
}

const isGre = (id: number) => (e: AgentEvent): e is Extract<AgentEvent, { ev: 'gre' }> => e.ev === 'gre' && ((parseInt(e.hex.slice(8, 12), 16)) === id);

/** Which host a datagram with this IP id arrived at (index into HOSTS), or -1 when none within ms; with its bytes. */
function arrivedAt(lab: NatLab, id: number, ms: number): Promise<{ at: number; ip?: Uint8Array }> {
  return new Promise((resolve) => {
    let left = HOSTS.length;
    HOSTS.forEach((h, i) => {
      void lab.agent(h.role).waitFor(isGre(id), ms).then((e) => {
        if (e) resolve({ at: i, ip: Uint8Array.from(Buffer.from(e.hex, 'hex')) });
        else if (--left === 0) resolve({ at: -1 });
      });
    });
  });
}

/** Key of a received v0 datagram (K bit set), or call ID of a v1 one. */
function greLabel(ip: Uint8Array): string {
  const o = (ip[0]! & 0x0f) * 4;
  const v = ip[o + 1]! & 7;
  if (v === 1) return `call ID ${hex((ip[o + 6]! << 8) | ip[o + 7]!)}`;
  if (ip[o]! & 0x20) return `key ${((ip[o + 4]! << 24) | (ip[o + 5]! << 16) | (ip[o + 6]! << 8) | ip[o + 7]!) >>> 0}`;
  return 'no key';
}

interface Tally {
  hosts: { name: string; sent: number; replies: number; foreign: number }[];
  server: Record<string, number>;
  serverNoRoute: number;
  unsolicited?: { sent: number; hostA: number; hostB: number; neither: number };
}

function emptyTally(): Tally {
  return { hosts: HOSTS.map((h) => ({ name: h.name, sent: 0, replies: 0, foreign: 0 })), server: {}, serverNoRoute: 0 };
}

/** Runs the v0 variants (A, B, C). */
async function runV0(lab: NatLab, v: VariantId, n: number, captureFile?: string): Promise<VariantResult> {
  const before = await lab.prepare(v, captureFile);
  const srv = lab.agent('srv');
  await srv.request({ op: 'echo', on: true });
  const model = new NatRouterModel({ outside: OUTSIDE, inside: HOSTS.map((h) => h.addr), notrack: v !== 'A', ...(v === 'C' ? { rewrites: HOSTS.map((h) => ({ key: h.key, host: h.addr })) } : {}) });
  const k = emptyTally(), o = emptyTally();
  const rows: DatagramRow[] = [];
  const wait = (first: boolean) => (first ? 600 : 250);
  const inner = (i: number) => wire.ipv4('172.16.0.1', '172.16.0.2', i, new Uint8Array(8), 1);
  for (let i = 0; i < n; i++) {
    for (const [hi, h] of HOSTS.entries()) {
      const id = lab.nextId();
      const p = wire.ipv4(h.addr, SERVER, id, wire.greV0Keyed(h.key, inner(id)));
      k.hosts[hi]!.sent++; o.hosts[hi]!.sent++;
      // The oracle: the router, then the server's echo, then the router again.
      const a1 = model.arrive(p, 'inside');
      rows.push({ id, what: `${h.name} -> server, key ${h.key}`, packet: p, kernel: undefined, oracle: a1.tuple, oracleFate: a1.fate, keymap: [] });
      if (a1.fate.kind === 'forwarded' && a1.fate.to === SERVER) {
        const got = a1.fate.packet;
        o.server[`from ${formatIPv4(got, 12)}, ${greLabel(got)}`] = (o.server[`from ${formatIPv4(got, 12)}, ${greLabel(got)}`] ?? 0) + 1;
        const back = formatIPv4(got, 12);
        if (back !== OUTSIDE && !back.startsWith('192.0.2.')) o.serverNoRoute++;
        else {
          const echo = wire.ipv4(SERVER, back, id ^ 0x8000, got.subarray(20));
          const a2 = model.arrive(echo, 'outside');
          rows.push({ id: id ^ 0x8000, what: `server echo of ${h.name}'s key ${h.key}`, packet: echo, kernel: undefined, oracle: a2.tuple, oracleFate: a2.fate, keymap: [] });
          const f2 = a2.fate;
          if (f2.kind === 'forwarded') {
            const to = HOSTS.findIndex((x) => x.addr === f2.to);
            if (to === hi) o.hosts[hi]!.replies++;
            else if (to >= 0) o.hosts[to]!.foreign++;
          }
        }
      }
      // The kernel.
      await lab.agent(h.role).request({ op: 'gre', dst: SERVER, hex: Buffer.from(p).toString('hex') });
      const atServer = await srv.waitFor(isGre(id), wait(i === 0));
      if (atServer) {
        const ip = Buffer.from(atServer.hex, 'hex');
        const label = `from ${formatIPv4(ip, 12)}, ${greLabel(ip)}`;
        k.server[label] = (k.server[label] ?? 0) + 1;
        const echoed = await srv.waitFor((e) => (e.ev === 'echo' || e.ev === 'echo-error') && parseInt(e.hex.slice(8, 12), 16) === (id ^ 0x8000), 1000);
        if (echoed?.ev === 'echo-error') k.serverNoRoute++;
        else if (echoed) {
          const { at } = await arrivedAt(lab, id ^ 0x8000, wait(i === 0));
          if (at === hi) k.hosts[hi]!.replies++; else if (at >= 0) k.hosts[at]!.foreign++;
        }
      }
    }
  }
  // The server sends into tunnel 2 on its own (key 2, to the router's outside address).
  if (v !== 'D') {
    k.unsolicited = { sent: 0, hostA: 0, hostB: 0, neither: 0 };
    o.unsolicited = { sent: 0, hostA: 0, hostB: 0, neither: 0 };
    for (let i = 0; i < n; i++) {
      const id = lab.nextId();
      const p = wire.ipv4(SERVER, OUTSIDE, id, wire.greV0Keyed(2, inner(id)));
      k.unsolicited.sent++; o.unsolicited.sent++;
      const a = model.arrive(p, 'outside');
      rows.push({ id, what: 'server -> tunnel 2 (key 2), unsolicited', packet: p, kernel: undefined, oracle: a.tuple, oracleFate: a.fate, keymap: [] });
      const fate = a.fate;
      const to = fate.kind === 'forwarded' ? HOSTS.findIndex((x) => x.addr === fate.to) : -1;
      if (to === 0) o.unsolicited.hostA++; else if (to === 1) o.unsolicited.hostB++; else o.unsolicited.neither++;
      await srv.request({ op: 'gre', dst: OUTSIDE, hex: Buffer.from(p).toString('hex') });
      const { at } = await arrivedAt(lab, id, wait(i === 0));
      if (at === 0) k.unsolicited.hostA++; else if (at === 1) k.unsolicited.hostB++; else k.unsolicited.neither++;
    }
  }
  await srv.request({ op: 'echo', on: false });
  return finish(lab, v, before, k, o, model, rows, captureFile);
}

/** Variant D: PPTP sessions from both hosts to a PAC on the server, data both ways. */
async function runPptp(lab: NatLab, n: number, captureFile?: string): Promise<VariantResult> {
  const before = await lab.prepare('D', captureFile);
  const srv = lab.agent('srv');
  await srv.request({ op: 'listen', addr: SERVER, port: wire.PPTP_PORT }).catch(() => undefined);
  const pptp = new PptpModel();
  const model = new NatRouterModel({ outside: OUTSIDE, inside: HOSTS.map((h) => h.addr), notrack: false, pptp });
  const k = emptyTally(), o = emptyTally();
  const rows: DatagramRow[] = [];
  const peerOf = new Map<number, number>();
  const send = async (from: Agent, fromConn: string, to: Agent, toConn: string, bytes: Uint8Array): Promise<Uint8Array> => {
    await from.request({ op: 'send', conn: fromConn, hex: Buffer.from(bytes).toString('hex') });
    let got = '';
    while (got.length < bytes.length * 2) {
      const e = await to.waitFor((x): x is Extract<AgentEvent, { ev: 'data' }> => x.ev === 'data' && x.conn === toConn, 2000);
      if (!e) throw new LabError(`${to.role} did not receive a PPTP message on ${toConn}`);
      got += e.hex;
    }
    return Uint8Array.from(Buffer.from(got, 'hex'));
  };
  for (const [hi, h] of HOSTS.entries()) {
    const host = lab.agent(h.role);
    const conn = `p${hi}`;
    const r = await host.request({ op: 'connect', conn, src: h.addr, dst: SERVER, port: wire.PPTP_PORT });
    void r;
    const acc = await srv.waitFor((e): e is Extract<AgentEvent, { ev: 'accept' }> => e.ev === 'accept', 2000);
    if (!acc) throw new LabError(`the PAC never saw ${h.name}'s control connection`);
    // The post-NAT source port: nf_nat_pptp's PNS call ID for this connection (NAT-6).
    const natPort = Number(acc.peer.split(':')[1]);
    pptp.open(h.role, { pns: h.addr, pac: SERVER, reply: { src: SERVER, dst: OUTSIDE }, natCallId: natPort });
    const step = async (dir: 'pns-to-pac' | 'pac-to-pns', bytes: Uint8Array) => {
      const got = dir === 'pns-to-pac' ? await send(host, conn, srv, acc.conn, bytes) : await send(srv, acc.conn, host, conn, bytes);
      pptp.control(h.role, dir, bytes);
      return got;
    };
    await step('pns-to-pac', wire.sccrq());
    await step('pac-to-pns', wire.sccrp(1));
    const ocrqAtPac = await step('pns-to-pac', wire.ocrq(h.pns));
    const natPns = (ocrqAtPac[12]! << 8) | ocrqAtPac[13]!;
    peerOf.set(h.pac, natPns);
    await step('pac-to-pns', wire.ocrp(h.pac, natPns, 1));
  }
  const wait = (first: boolean) => (first ? 600 : 250);
  for (let i = 0; i < n; i++) {
    for (const [hi, h] of HOSTS.entries()) {
      const id = lab.nextId();
      const p = wire.ipv4(h.addr, SERVER, id, wire.greV1(h.pac, i + 1));
      k.hosts[hi]!.sent++; o.hosts[hi]!.sent++;
      const km1 = pptp.keymap();
      const a1 = model.arrive(p, 'inside');
      rows.push({ id, what: `${h.name} -> server, call ID ${hex(h.pac)}`, packet: p, kernel: undefined, oracle: a1.tuple, oracleFate: a1.fate, keymap: km1 });
      // The PAC answers on the call with the peer's call ID it was given (the NATed one).
      const replyId = id ^ 0x8000;
      if (a1.fate.kind === 'forwarded' && a1.fate.to === SERVER) {
        const got = a1.fate.packet;
        const label = `from ${formatIPv4(got, 12)}, ${greLabel(got)}`;
        o.server[label] = (o.server[label] ?? 0) + 1;
        const echo = wire.ipv4(SERVER, formatIPv4(got, 12), replyId, wire.greV1(peerOf.get(h.pac)!, i + 1));
        const km2 = pptp.keymap();
        const a2 = model.arrive(echo, 'outside');
        rows.push({ id: replyId, what: `server -> ${h.name}'s call, call ID ${hex(peerOf.get(h.pac)!)}`, packet: echo, kernel: undefined, oracle: a2.tuple, oracleFate: a2.fate, keymap: km2 });
        const f2 = a2.fate;
        if (f2.kind === 'forwarded') {
          const to = HOSTS.findIndex((x) => x.addr === f2.to);
          const cid = (f2.packet[26]! << 8) | f2.packet[27]!;
          if (to === hi && cid === h.pns) o.hosts[hi]!.replies++; else if (to >= 0) o.hosts[to]!.foreign++;
        }
      }
      await lab.agent(h.role).request({ op: 'gre', dst: SERVER, hex: Buffer.from(p).toString('hex') });
      const atServer = await srv.waitFor(isGre(id), wait(i === 0));
      if (!atServer) continue;
      const ip = Buffer.from(atServer.hex, 'hex');
      const label = `from ${formatIPv4(ip, 12)}, ${greLabel(ip)}`;
      k.server[label] = (k.server[label] ?? 0) + 1;
      const callId = (ip[26]! << 8) | ip[27]!;
      const peer = peerOf.get(callId);
      if (peer === undefined) continue;
      const echo = wire.ipv4(SERVER, formatIPv4(ip, 12), replyId, wire.greV1(peer, i + 1));
      await srv.request({ op: 'gre', dst: formatIPv4(ip, 12), hex: Buffer.from(echo).toString('hex') });
      const { at, ip: back } = await arrivedAt(lab, replyId, wait(i === 0));
      if (at >= 0) {
        const cid = (back![26]! << 8) | back![27]!;
        if (at === hi && cid === h.pns) k.hosts[hi]!.replies++; else k.hosts[at]!.foreign++;
      }
    }
  }
  const result = await finish(lab, 'D', before, k, o, model, rows, captureFile);
  for (const [hi] of HOSTS.entries()) await lab.agent(HOSTS[hi]!.role).request({ op: 'close', conn: `p${hi}`, reset: true });
  return result;
}

async function finish(lab: NatLab, v: VariantId, before: { insertFailed: number; drop: number }, k: Tally, o: Tally,
  model: NatRouterModel, rows: DatagramRow[], captureFile?: string): Promise<VariantResult> {
  await new Promise((r) => setTimeout(r, 50));
  const after = await lab.counters();
  const entries = await lab.greEntries();
  const records = await lab.records();
  await lab.stopCapture();
  const withKernel = rows.map((r) => ({ ...r, kernel: records.get(r.id) }));
  const kernel: Outcome = { ...k, insertFailed: after.insertFailed - before.insertFailed, drop: after.drop - before.drop, entries };
  const oracle: Outcome = {
    ...o, insertFailed: model.insertFailed, drop: model.drop,
    entries: model.entries.map((e) => `gre src=${e.orig.src} dst=${e.orig.dst} srckey=${hex(e.orig.srckey)} dstkey=${hex(e.orig.dstkey)} | ${tupleText(e.reply)}`).sort(),
  };
  const differences: string[] = [];
  const cmp = (what: string, a: unknown, b: unknown) => { if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${what}: kernel ${JSON.stringify(a)}, oracle ${JSON.stringify(b)}`); };
  cmp('hosts', kernel.hosts, oracle.hosts);
  cmp('server received', sortKeys(kernel.server), sortKeys(oracle.server));
  cmp('server without route', kernel.serverNoRoute, oracle.serverNoRoute);
  cmp('unsolicited key 2', kernel.unsolicited, oracle.unsolicited);
  cmp('insert_failed', kernel.insertFailed, oracle.insertFailed);
  cmp('drop', kernel.drop, oracle.drop);
  cmp('entries', kernel.entries.length, oracle.entries.length);
  for (const r of withKernel) {
    const kt = r.kernel?.state === 'tracked' ? r.kernel.tuple! : null;
    // A datagram the router never saw (dropped on the way) has no record: nothing to compare.
    if (r.kernel === undefined) continue;
    if (r.kernel.state === 'untracked' ? r.oracle !== null : diffAnswers(r.oracle, kt).length > 0) {
      differences.push(`datagram ${r.id} (${r.what}) ${Buffer.from(r.packet).toString('hex')}: kernel ${kt ? tupleText(kt) : r.kernel.state}, oracle ${r.oracle ? tupleText(r.oracle) : 'untracked'}`);
    }
  }
  return {
    id: v, title: VARIANTS[v].title, rule: VARIANTS[v].rule, kernel, oracle, datagrams: withKernel, differences, agree: differences.length === 0,
    ...(captureFile ? { capture: captureFile } : {}),
  };
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}

export interface NatOptions {
  /** Datagrams per host (default 3, as in the reference sheet). */
  readonly packets?: number;
  /** Folder for one router capture per variant (nat-A.pcap, ...). */
  readonly captureDir?: string;
  readonly variants?: readonly VariantId[];
}

export async function runNatScenarios(opts: NatOptions = {}): Promise<NatResult> {
  const n = opts.packets ?? 3;
  const lab = await NatLab.open();
  const scenarios: VariantResult[] = [];
  try {
    for (const v of opts.variants ?? (['A', 'B', 'C', 'D'] as const)) {
      const file = opts.captureDir ? join(opts.captureDir, `nat-${v}.pcap`) : undefined;
      scenarios.push(v === 'D' ? await runPptp(lab, n, file) : await runV0(lab, v, n, file));
    }
  } finally {
    await lab.close();
  }
  const { release } = await import('node:os');
  return { kernelRelease: release(), packets: n, scenarios };
}
