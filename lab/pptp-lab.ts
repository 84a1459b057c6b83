// Real PPTP through the kernel's helper (issue "Kernel lab", part 3). Three namespaces:
//
//   pns (10.1.0.2, 10.1.0.3) --- rtr (10.1.0.1 | 10.2.0.1) --- pac (10.2.0.2)
//
// The router forwards, runs conntrack with the pptp helper assigned to tcp/1723 (nft `ct
// helper`, KM-5) and records, for every GRE datagram it receives, the tuple conntrack built
// (gre-recorder.ts). An agent in the PNS opens real TCP control connections to an agent in the
// PAC; Node writes every control message (pptp-wire.ts) and waits until the other side has it,
// so the router's helper has seen it before the next step. GRE data is sent with raw sockets
// with a unique IP id, and is waited for at the other end.
import { readFile } from 'node:fs/promises';
import type { Tuple } from '../spec/contract.ts';
import { Agent, type AgentEvent } from './agent.ts';
import { startCapture, type RunningCapture } from './capture.ts';
import { parseConntrackTable, parseGreExpectations, type TableEntry } from './conntrack-table.ts';
import { recorderDeclarations, recorderFlush, recorderRules, parseRecords, type GreRecord } from './gre-recorder.ts';
import { NetLab } from './netlab.ts';
import { PPTP_PORT, ipId, ipv4 } from '../models/pptp-wire.ts';
import { LabError } from './types.ts';

export const PNS_ADDRS = ['10.1.0.2', '10.1.0.3'] as const;
export const PAC_ADDR = '10.2.0.2';
const TABLE = 'grec_pptp';
const WAIT_MS = 2000;

export interface ControlLink {
  /** The PNS agent's name for the connection, and the PAC agent's. */
  readonly pns: string;
  readonly pac: string;
  /** PNS address and TCP port. */
  readonly local: string;
}

export interface GreSent {
  readonly id: number;
  /** The datagram as sent (what the router received, before it decremented the TTL). */
  readonly datagram: Uint8Array;
  /** What the router's conntrack did with it, or undefined when it left no record. */
  readonly kernel: GreRecord | undefined;
  /** Whether the far end received it. */
  readonly delivered: boolean;
}

export function routerRuleset(): string {
  return [
    `table ip ${TABLE}`,
    `delete table ip ${TABLE}`,
    `table ip ${TABLE} {`,
    '  ct helper pptp { type "pptp" protocol tcp; l3proto ip; }',
    ...recorderDeclarations(),
    '  chain pre {',
    '    type filter hook prerouting priority -150; policy accept;',
    `    tcp dport ${PPTP_PORT} ct helper set "pptp"`,
    ...recorderRules(),
    '  }',
    '}',
  ].join('\n');
}

export class PptpLab {
  private connSeq = 0;
  private ipIdSeq = 0;
  private capture: RunningCapture | undefined;

  private constructor(readonly net: NetLab, readonly pnsAgent: Agent, readonly pacAgent: Agent) {}

  static async open(opts: { capture?: string } = {}): Promise<PptpLab> {
    const net = await NetLab.open(['pns', 'rtr', 'pac']);
    try {
      await net.link({ a: { role: 'pns', ifname: 'eth0', addrs: PNS_ADDRS.map((a) => `${a}/24`) }, b: { role: 'rtr', ifname: 'pns0', addrs: ['10.1.0.1/24'] } });
      await net.link({ a: { role: 'rtr', ifname: 'pac0', addrs: ['10.2.0.1/24'] }, b: { role: 'pac', ifname: 'eth0', addrs: [`${PAC_ADDR}/24`] } });
      await net.sh('pns', `${net.tools.ip} route add default via 10.1.0.1`);
      await net.sh('pac', `${net.tools.ip} route add default via 10.2.0.1`);
      await net.sysctl('rtr', { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
      await net.nft('rtr', routerRuleset());
      const lab = new PptpLab(net, new Agent(net, 'pns'), new Agent(net, 'pac'));
      // Both agents answer once their raw GRE socket exists: nothing sent later can miss it.
      await lab.pnsAgent.request({ op: 'echo', on: false });
      await lab.pacAgent.request({ op: 'listen', addr: PAC_ADDR, port: PPTP_PORT });
      if (opts.capture) lab.capture = await startCapture(net, 'rtr', opts.capture, `ip proto 47 or tcp port ${PPTP_PORT}`);
      return lab;
    } catch (e) {
      await net.close();
      throw e;
    }
  }

  /** A new control connection from one of the PNS addresses; resolves once the PAC accepted it. */
  async connect(src: string): Promise<ControlLink> {
    const name = `c${++this.connSeq}`;
    const r = await this.pnsAgent.request({ op: 'connect', conn: name, src, dst: PAC_ADDR, port: PPTP_PORT });
    const local = String(r.local);
    const acc = await this.pacAgent.waitFor((e): e is Extract<AgentEvent, { ev: 'accept' }> => e.ev === 'accept' && e.peer === local, WAIT_MS);
    if (!acc) throw new LabError(`the PAC never accepted the control connection from ${local}`);
    return { pns: name, pac: acc.conn, local };
  }

  /** Writes bytes on the PNS end and waits until the PAC has read them all. */
  pnsSend(link: ControlLink, bytes: Uint8Array): Promise<void> {
    return this.send(this.pnsAgent, link.pns, this.pacAgent, link.pac, bytes);
  }

  /** Writes bytes on the PAC end and waits until the PNS has read them all. */
  pacSend(link: ControlLink, bytes: Uint8Array): Promise<void> {
    return this.send(this.pacAgent, link.pac, this.pnsAgent, link.pns, bytes);
  }

  private async send(from: Agent, fromConn: string, to: Agent, toConn: string, bytes: Uint8Array): Promise<void> {
    await from.request({ op: 'send', conn: fromConn, hex: Buffer.from(bytes).toString('hex') });
    let got = 0;
    while (got < bytes.length) {
      const e = await to.waitFor((x): x is Extract<AgentEvent, { ev: 'data' }> => x.ev === 'data' && x.conn === toConn, WAIT_MS);
      if (!e) throw new LabError(`${to.role} received ${got} of ${bytes.length} bytes on ${toConn}`);
      got += e.hex.length / 2;
    }
  }

  /** Sends GRE bytes in an IPv4 datagram with a fresh IP id, waits for it at the far end, reads the router's record. */
  async gre(from: 'pns' | 'pac', src: string, dst: string, greBytes: Uint8Array): Promise<GreSent> {
    const id = this.nextId();
    const datagram = ipv4(src, dst, id, greBytes);
    const sender = from === 'pns' ? this.pnsAgent : this.pacAgent;
    const receiver = from === 'pns' ? this.pacAgent : this.pnsAgent;
    await sender.request({ op: 'gre', dst, hex: Buffer.from(datagram).toString('hex') });
    const got = await receiver.waitFor((e) => e.ev === 'gre' && ipId(Buffer.from(e.hex, 'hex')) === id, WAIT_MS);
    const records = await this.records();
    return { id, datagram, kernel: records.get(id), delivered: got !== undefined };
  }

  private nextId(): number {
    this.ipIdSeq = (this.ipIdSeq % 65000) + 1;
    return this.ipIdSeq;
  }

  async records(): Promise<Map<number, GreRecord>> {
    return parseRecords(await this.net.sh('rtr', `${this.net.tools.nft} -n list table ip ${TABLE}`));
  }

  /** The router's conntrack entries (original tuples), GRE and TCP. */
  async routerTable(): Promise<TableEntry[]> {
    return parseConntrackTable(await readFile(`/proc/${this.net.pid('rtr')}/net/nf_conntrack`, 'utf8'));
  }

  async routerGreEntries(): Promise<Tuple[]> {
    return (await this.routerTable()).filter((e) => e.proto === 47).map((e) => ({ src: e.src, dst: e.dst, proto: 47, srckey: e.srckey, dstkey: e.dstkey }));
  }

  /**
   * The router's GRE timeouts in seconds (per network namespace: nf_conntrack_gre_timeout for
   * an unreplied entry, _stream for one seen both ways; 30 and 180 by default). A timeout counts
   * from an entry's last datagram, so it applies to entries from their next one on.
   */
  async setGreTimeouts(unreplied: number, stream: number): Promise<void> {
    await this.net.sysctl('rtr', { 'net.netfilter.nf_conntrack_gre_timeout': unreplied, 'net.netfilter.nf_conntrack_gre_timeout_stream': stream });
  }

  /** The router's pending GRE expectations (the PPTP helper's exp_gre), as tuples. */
  async routerGreExpectations(): Promise<Tuple[]> {
    return parseGreExpectations(await readFile(`/proc/${this.net.pid('rtr')}/net/nf_conntrack_expect`, 'utf8'))
      .map((e) => ({ src: e.src, dst: e.dst, proto: 47, srckey: e.srckey, dstkey: e.dstkey }));
  }

  /** `conntrack -D -p gre` on the router: every GRE entry destroyed (KM-6a). */
  async deleteGreEntries(): Promise<void> {
    await this.net.sh('rtr', `${this.net.tools.conntrack} -D -p gre >/dev/null 2>&1 || true`);
  }

  /** Ends every control connection with an RST, then empties the router's table and records. */
  async reset(links: readonly ControlLink[]): Promise<void> {
    for (const l of links) {
      await this.pnsAgent.request({ op: 'close', conn: l.pns, reset: true });
      await this.pacAgent.request({ op: 'close', conn: l.pac, reset: true }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 20));
    await this.net.sh('rtr', `${this.net.tools.conntrack} -F >/dev/null 2>&1; ${this.net.tools.nft} '${recorderFlush(TABLE)}'`);
    this.pnsAgent.clearEvents();
    this.pacAgent.clearEvents();
  }

  async close(): Promise<void> {
    await this.capture?.stop();
    this.capture = undefined;
    await this.net.close();
  }
}
