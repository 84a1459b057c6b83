// fast-check commands over PPTP control messages and GRE data (fc.commands), run against the
// real router (pptp-lab.ts) and the model (models/pptp-helper.ts) side by side. Every GRE datagram's
// tuple from the kernel must equal the oracle's with the model's keymap; after every command
// the router's GRE entries must be the model's, and after every control message so must its
// pending GRE expectations (what each message did to the helper shows there at once, not only
// when data happens to use it).
import fc from 'fast-check';
import { diffAnswers } from '../runner/compare.ts';
import { MSG_SIZE, PptpModel, type Direction } from '../models/pptp-helper.ts';
import { PAC_ADDR, PNS_ADDRS, type ControlLink, type PptpLab } from './pptp-lab.ts';
import * as wire from '../models/pptp-wire.ts';
import { tupleKey as key } from './pptp-scenario.ts';

export const PNS_CALL_IDS = [0x0a0a, 0x0c0c] as const;
export const PAC_CALL_IDS = [0x0b0b, 0x0b0c] as const;

export interface PptpModelState {
  readonly m: PptpModel;
  /** Each connection's last PNS and PAC call IDs sent (OCRQ/ICRP, OCRP/ICRQ): what its data carries. */
  readonly conns: { id: string; src: string; pnsId: number; pacId: number }[];
  /** Largest number of calls holding keymap entries at once in this run. */
  maxCalls: number;
  /** GRE datagrams compared in this run, and how many had a srckey from the keymap. */
  compared: number;
  withSrckey: number;
}

export interface PptpReal {
  readonly lab: PptpLab;
  readonly links: Map<string, ControlLink>;
  readonly log: string[];
}

type Cmd = fc.AsyncCommand<PptpModelState, PptpReal>;
const hex = (n: number) => `0x${n.toString(16)}`;

export class PptpMismatch extends Error {}

async function checkEntries(m: PptpModelState, r: PptpReal, after: string): Promise<void> {
  const kernel = (await r.lab.routerGreEntries()).map(key).sort();
  const model = m.m.greEntries().map((e) => key(e.orig)).sort();
  if (JSON.stringify(kernel) !== JSON.stringify(model)) {
    throw new PptpMismatch(`after ${after}: router GRE entries ${JSON.stringify(kernel)}, model ${JSON.stringify(model)}\n${r.log.join('\n')}`);
  }
  await checkExpectations(m, r, after);
}

function track(m: PptpModelState): void {
  const owners = m.m.keymap().length / 2;
  m.maxCalls = Math.max(m.maxCalls, owners);
}

async function checkExpectations(m: PptpModelState, r: PptpReal, after: string): Promise<void> {
  const kernel = (await r.lab.routerGreExpectations()).map(key).sort();
  const model = m.m.expectations().map(key).sort();
  if (JSON.stringify(kernel) !== JSON.stringify(model)) {
    throw new PptpMismatch(`after ${after}: router GRE expectations ${JSON.stringify(kernel)}, model ${JSON.stringify(model)}\n${r.log.join('\n')}`);
  }
}

async function control(m: PptpModelState, r: PptpReal, k: number, dir: Direction, bytes: Uint8Array): Promise<void> {
  const c = m.conns[k]!;
  const link = r.links.get(c.id)!;
  if (dir === 'pns-to-pac') await r.lab.pnsSend(link, bytes);
  else await r.lab.pacSend(link, bytes);
  const eff = m.m.control(c.id, dir, bytes);
  const short = bytes.length >= 12 && bytes.length - 12 < (MSG_SIZE[bytes[9]!] ?? 0);
  const what = `${c.id} ${dir} ${eff.message}${short ? ' (a byte short)' : ''}`;
  r.log.push(`${what}${eff.ignored ? ` (ignored: ${eff.ignored})` : ''}${eff.added.length ? ` +${eff.added.length} keymap` : ''}${eff.removed.length ? ` -${eff.removed.length} keymap` : ''}`);
  track(m);
  await checkExpectations(m, r, what);
}

class OpenCmd implements Cmd {
  constructor(readonly src: number) {}
  check(m: Readonly<PptpModelState>) { return m.conns.length < 3; }
  async run(m: PptpModelState, r: PptpReal) {
    const src = PNS_ADDRS[this.src]!;
    const id = `k${m.conns.length}`;
    r.links.set(id, await r.lab.connect(src));
    m.m.open(id, { pns: src, pac: PAC_ADDR });
    m.conns.push({ id, src, pnsId: 0, pacId: 0 });
    r.log.push(`${id} open from ${src}`);
  }
  toString() { return `open(${PNS_ADDRS[this.src]})`; }
}

/**
 * A whole call set-up: open, SCCRQ/SCCRP, then an outgoing call (OCRQ/OCRP with Result Code 1)
 * or an incoming one (RFC 2637 2.9-2.11: ICRQ/ICRP with Accept/ICCN).
 */
class CallCmd implements Cmd {
  constructor(readonly src: number, readonly pns: number, readonly pac: number, readonly incoming = false) {}
  check(m: Readonly<PptpModelState>) { return m.conns.length < 3; }
  async run(m: PptpModelState, r: PptpReal) {
    await new OpenCmd(this.src).run(m, r);
    const k = m.conns.length - 1;
    await control(m, r, k, 'pns-to-pac', wire.sccrq());
    await control(m, r, k, 'pac-to-pns', wire.sccrp(1));
    m.conns[k]!.pnsId = this.pns;
    m.conns[k]!.pacId = this.pac;
    const steps: [Direction, Uint8Array][] = this.incoming
      ? [['pac-to-pns', wire.icrq(this.pac)], ['pns-to-pac', wire.icrp(this.pns, this.pac, 1)], ['pac-to-pns', wire.iccn(this.pns)]]
      : [['pns-to-pac', wire.ocrq(this.pns)], ['pac-to-pns', wire.ocrp(this.pac, this.pns, 1)]];
    for (const [dir, bytes] of steps) await control(m, r, k, dir, bytes);
  }
  toString() { return `${this.incoming ? 'incoming ' : ''}call(${PNS_ADDRS[this.src]}, pns ${hex(this.pns)}, pac ${hex(this.pac)})`; }
}

type CtrlSpec =
  | { t: 'sccrq' } | { t: 'sccrp'; result: number } | { t: 'ocrq'; id: number }
  | { t: 'ocrp'; id: number; peer: number | 'echo'; result: number } | { t: 'ccrq' } | { t: 'cdn' }
  | { t: 'icrq'; id: number } | { t: 'icrp'; id: number; peer: number | 'echo'; result: number } | { t: 'iccn'; peer: number | 'echo' }
  | { t: 'stopccrq' } | { t: 'echo' };

/**
 * One control message on connection k; `short`: its body one byte shorter than the kernel's
 * struct, which the helper must leave alone (pptp_msg_size).
 */
class CtrlCmd implements Cmd {
  constructor(readonly k: number, readonly s: CtrlSpec, readonly short = false) {}
  check(m: Readonly<PptpModelState>) { return this.k < m.conns.length; }
  async run(m: PptpModelState, r: PptpReal) {
    const c = m.conns[this.k]!;
    const s = this.s;
    const send = (dir: Direction, bytes: Uint8Array) => control(m, r, this.k, dir, this.short ? wire.shortened(bytes) : bytes);
    switch (s.t) {
      case 'sccrq': return send('pns-to-pac', wire.sccrq());
      case 'sccrp': return send('pac-to-pns', wire.sccrp(s.result));
      case 'ocrq': c.pnsId = s.id; return send('pns-to-pac', wire.ocrq(s.id));
      case 'ocrp': c.pacId = s.id; return send('pac-to-pns', wire.ocrp(s.id, s.peer === 'echo' ? c.pnsId : s.peer, s.result));
      case 'icrq': c.pacId = s.id; return send('pac-to-pns', wire.icrq(s.id));
      case 'icrp': c.pnsId = s.id; return send('pns-to-pac', wire.icrp(s.id, s.peer === 'echo' ? c.pacId : s.peer, s.result));
      case 'iccn': return send('pac-to-pns', wire.iccn(s.peer === 'echo' ? c.pnsId : s.peer));
      case 'ccrq': return send('pns-to-pac', wire.ccrq(c.pnsId));
      case 'cdn': {
        await send('pac-to-pns', wire.cdn(c.pnsId));
        return checkEntries(m, r, this.toString());
      }
      case 'stopccrq': return send('pns-to-pac', wire.stopccrq());
      case 'echo': return send('pns-to-pac', wire.echoRequest(7));
    }
  }
  toString() {
    const s = this.s;
    const args = Object.entries(s).filter(([k]) => k !== 't').map(([k, v]) => `${k} ${typeof v === 'number' ? hex(v) : v}`).join(', ');
    return `k${this.k}.${s.t}${this.short ? '-short' : ''}(${args})`;
  }
}

/** GRE data of the call on connection k (its addresses and the peer's call ID), or from/to any PNS address with any call ID. */
class GreCmd implements Cmd {
  private callId = 0;
  private addr = 0;
  constructor(readonly fromPns: boolean, readonly on: { k: number } | { addr: number; callId: number }) {}
  check(m: Readonly<PptpModelState>) { return !('k' in this.on) || this.on.k < m.conns.length; }
  async run(m: PptpModelState, r: PptpReal) {
    if ('k' in this.on) {
      const c = m.conns[this.on.k]!;
      this.addr = PNS_ADDRS.indexOf(c.src as (typeof PNS_ADDRS)[number]);
      this.callId = this.fromPns ? c.pacId : c.pnsId;
    } else {
      this.addr = this.on.addr;
      this.callId = this.on.callId;
    }
    const pns = PNS_ADDRS[this.addr]!;
    const [src, dst] = this.fromPns ? [pns, PAC_ADDR] : [PAC_ADDR, pns];
    const sent = await r.lab.gre(this.fromPns ? 'pns' : 'pac', src, dst, wire.greV1(this.callId, m.compared + 1));
    const p = m.m.data(sent.datagram);
    const kernel = sent.kernel?.state === 'tracked' ? sent.kernel.tuple! : null;
    m.compared++;
    if (kernel && kernel.srckey !== 0) m.withSrckey++;
    r.log.push(`gre ${src}>${dst} call ${hex(this.callId)}: kernel ${kernel ? key(kernel) : sent.kernel?.state ?? 'no record'}, model ${p.verdict.tuple ? key(p.verdict.tuple) : 'null'} (${p.entry}${p.master ? ` of ${p.master}` : ''})`);
    if (!sent.delivered) throw new PptpMismatch(`GRE datagram ${sent.id} never reached ${dst}\n${r.log.join('\n')}`);
    if (diffAnswers(p.verdict.tuple, kernel).length > 0) {
      throw new PptpMismatch(`GRE ${Buffer.from(sent.datagram).toString('hex')}: kernel ${JSON.stringify(kernel)}, oracle with the model's keymap ${JSON.stringify(p.verdict.tuple)}; keymap ${JSON.stringify(m.m.keymap())}\n${r.log.join('\n')}`);
    }
    await checkEntries(m, r, this.toString());
  }
  toString() {
    const on = 'k' in this.on ? `call of k${this.on.k}` : `${PNS_ADDRS[this.on.addr]}, call ${hex(this.on.callId)}`;
    return `gre(${this.fromPns ? 'pns>pac' : 'pac>pns'}, ${on})`;
  }
}

class DeleteGreCmd implements Cmd {
  check() { return true; }
  async run(m: PptpModelState, r: PptpReal) {
    await r.lab.deleteGreEntries();
    const gone = m.m.deleteGreEntries();
    r.log.push(`conntrack -D -p gre: ${gone.length} entries`);
    await checkEntries(m, r, this.toString());
  }
  toString() { return 'conntrack -D -p gre'; }
}

const pnsId = fc.constantFrom(...PNS_CALL_IDS);
const pacId = fc.constantFrom(...PAC_CALL_IDS);
const conn = fc.nat({ max: 2 });

export function pptpCommandArbs(): fc.Arbitrary<Cmd>[] {
  // One control message in ten is a byte short of what the helper reads.
  const ctrl = (s: fc.Arbitrary<CtrlSpec>) => fc.tuple(conn, s, fc.nat({ max: 9 })).map(([k, x, n]) => new CtrlCmd(k, x, n === 0) as Cmd);
  const peer = fc.oneof(fc.constant('echo' as const), fc.constant('echo' as const), pnsId, pacId);
  return [
    fc.nat({ max: 1 }).map((a) => new OpenCmd(a)),
    ...Array.from({ length: 3 }, () => fc.tuple(fc.nat({ max: 1 }), pnsId, pacId).map(([a, p, q]) => new CallCmd(a, p, q) as Cmd)),
    ...Array.from({ length: 2 }, () => fc.tuple(fc.nat({ max: 1 }), pnsId, pacId).map(([a, p, q]) => new CallCmd(a, p, q, true) as Cmd)),
    ctrl(fc.constant({ t: 'sccrq' })),
    ctrl(fc.constantFrom(1, 2).map((result) => ({ t: 'sccrp' as const, result }))),
    ctrl(pnsId.map((id) => ({ t: 'ocrq' as const, id }))),
    ctrl(fc.record({ t: fc.constant('ocrp' as const), id: pacId, peer: fc.oneof(fc.constant('echo' as const), pnsId), result: fc.constantFrom(1, 1, 3) })),
    ctrl(pacId.map((id) => ({ t: 'icrq' as const, id }))),
    ctrl(fc.record({ t: fc.constant('icrp' as const), id: pnsId, peer, result: fc.constantFrom(1, 1, 3) })),
    ctrl(fc.record({ t: fc.constant('iccn' as const), peer })),
    ctrl(fc.constant({ t: 'ccrq' })),
    ctrl(fc.constant({ t: 'cdn' })),
    ctrl(fc.constantFrom({ t: 'stopccrq' as const }, { t: 'echo' as const })),
    fc.tuple(fc.boolean(), fc.nat({ max: 1 }), fc.constantFrom(...PNS_CALL_IDS, ...PAC_CALL_IDS, 0x1234)).map(([f, addr, callId]) => new GreCmd(f, { addr, callId })),
    // Weights by repetition: data on the calls set up, and deletions of data entries, are
    // what show the keymap's effects.
    ...Array.from({ length: 6 }, () => fc.tuple(fc.boolean(), conn).map(([f, k]) => new GreCmd(f, { k }) as Cmd)),
    fc.constant(new DeleteGreCmd()),
    fc.constant(new DeleteGreCmd()),
  ];
}

export interface PptpPropertyResult {
  readonly runs: number;
  readonly commands: number;
  /** GRE datagrams whose kernel tuple was compared with the oracle's. */
  readonly compared: number;
  readonly withSrckey: number;
  /** Most calls holding keymap entries at once, over all runs. */
  readonly maxConcurrentCalls: number;
  readonly failure?: string;
}

/** Runs the model-based property: `runs` command sequences of at most `maxCommands`. */
export async function checkPptpProperty(lab: PptpLab, opts: { runs: number; seed: number; maxCommands?: number }): Promise<PptpPropertyResult> {
  let compared = 0, withSrckey = 0, maxConcurrentCalls = 0, runs = 0, commands = 0;
  const prop = fc.asyncProperty(fc.commands(pptpCommandArbs(), { maxCommands: opts.maxCommands ?? 25, size: 'max' }), async (cmds) => {
    const state: PptpModelState = { m: new PptpModel(), conns: [], maxCalls: 0, compared: 0, withSrckey: 0 };
    const real: PptpReal = { lab, links: new Map(), log: [] };
    try {
      await fc.asyncModelRun(() => ({ model: state, real }), cmds);
    } finally {
      await lab.reset([...real.links.values()]);
      runs++;
      commands += real.log.length;
      compared += state.compared;
      withSrckey += state.withSrckey;
      maxConcurrentCalls = Math.max(maxConcurrentCalls, state.maxCalls);
    }
  });
  const out = await fc.check(prop, { numRuns: opts.runs, seed: opts.seed, endOnFailure: true });
  const base = { runs, commands, compared, withSrckey, maxConcurrentCalls };
  if (!out.failed) return base;
  const err = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  return { ...base, failure: `seed ${opts.seed}, counterexample ${JSON.stringify(out.counterexample?.[0]?.toString() ?? '')}, path ${out.counterexamplePath ?? ''}\n${err}` };
}
