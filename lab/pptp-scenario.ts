// The scripted PPTP scenarios of `gre-conformance lab pptp` (the random ones are
// pptp-commands.ts). The session: three control connections with a call each (two at once from
// one PNS address with the same PAC call ID, KM-3), data both ways, a Call-Clear-Request /
// Call-Disconnect-Notify (KM-6b), a deletion of the data entries (KM-6a); for every GRE
// datagram the tuple the router's kernel built and the oracle's with the model's keymap. Then
// each call set-up step a byte short (shortMessageSweep) and a data entry's expiry
// (runExpiryScenario). Each returns data; cli/lab.ts prints it.
import type { KeymapEntry, Tuple } from '../spec/contract.ts';
import { diffAnswers } from '../runner/compare.ts';
import { PptpModel, type Direction } from '../models/pptp-helper.ts';
import { PAC_ADDR, PNS_ADDRS, PptpLab, type ControlLink } from './pptp-lab.ts';
import type { GreRecord } from './gre-recorder.ts';
import * as wire from '../models/pptp-wire.ts';

export type PptpStep =
  | { kind: 'control'; call: string; dir: Direction; message: string; ignored?: string; added: KeymapEntry[]; removed: KeymapEntry[] }
  | { kind: 'data'; call: string; from: string; to: string; callId: number; id: number; datagram: Uint8Array; keymap: KeymapEntry[];
      kernel: GreRecord | undefined; model: Tuple | null; agree: boolean; delivered: boolean }
  | { kind: 'delete'; entries: number; removedCalls: string[] };

export interface PptpSessionResult {
  readonly steps: PptpStep[];
  /** Most calls holding keymap entries at the same time. */
  readonly concurrentCalls: number;
  readonly keymapAtPeak: KeymapEntry[];
  readonly disagreements: number;
}

interface Call { name: string; src: string; pns: number; pac: number; link?: ControlLink }

/** A GRE tuple as one comparable string (addresses as given, keys in hex), for logs and sorted comparisons. */
export function tupleKey(t: Tuple): string {
  return `${t.src}>${t.dst}:0x${t.srckey.toString(16)}/0x${t.dstkey.toString(16)}`;
}

export async function runPptpSession(lab: PptpLab): Promise<PptpSessionResult> {
  const model = new PptpModel();
  const steps: PptpStep[] = [];
  const calls: Call[] = [
    { name: 'A', src: PNS_ADDRS[0], pns: 0x0a0a, pac: 0x0b0b },
    { name: 'B', src: PNS_ADDRS[0], pns: 0x0c0c, pac: 0x0b0b },
    { name: 'C', src: PNS_ADDRS[1], pns: 0x0a0a, pac: 0x0b0c },
  ];
  let concurrentCalls = 0;
  let keymapAtPeak: KeymapEntry[] = [];
  const control = async (c: Call, dir: Direction, bytes: Uint8Array) => {
    if (dir === 'pns-to-pac') await lab.pnsSend(c.link!, bytes);
    else await lab.pacSend(c.link!, bytes);
    const e = model.control(c.name, dir, bytes);
    steps.push({ kind: 'control', call: c.name, dir, message: e.message, ...(e.ignored ? { ignored: e.ignored } : {}), added: e.added, removed: e.removed });
    const km = model.keymap();
    if (km.length / 2 > concurrentCalls) { concurrentCalls = km.length / 2; keymapAtPeak = km; }
  };
  const data = async (c: Call, fromPns: boolean) => {
    const [src, dst] = fromPns ? [c.src, PAC_ADDR] : [PAC_ADDR, c.src];
    const callId = fromPns ? c.pac : c.pns;
    const keymap = model.keymap();
    const sent = await lab.gre(fromPns ? 'pns' : 'pac', src, dst, wire.greV1(callId, steps.length));
    const p = model.data(sent.datagram);
    const kernel = sent.kernel?.state === 'tracked' ? sent.kernel.tuple! : null;
    steps.push({
      kind: 'data', call: c.name, from: src, to: dst, callId, id: sent.id, datagram: sent.datagram, keymap,
      kernel: sent.kernel, model: p.verdict.tuple, agree: diffAnswers(p.verdict.tuple, kernel).length === 0, delivered: sent.delivered,
    });
  };
  for (const c of calls) {
    c.link = await lab.connect(c.src);
    model.open(c.name, { pns: c.src, pac: PAC_ADDR });
    await control(c, 'pns-to-pac', wire.sccrq());
    await control(c, 'pac-to-pns', wire.sccrp(1));
    await control(c, 'pns-to-pac', wire.ocrq(c.pns));
    await control(c, 'pac-to-pns', wire.ocrp(c.pac, c.pns, 1));
  }
  const [a, b, cc] = calls as [Call, Call, Call];
  await data(a, true);
  await data(a, false);
  await data(b, false);
  await data(b, true);
  await data(cc, true);
  await data(cc, false);
  // Call A hangs up: Call-Clear-Request, then the PAC's Call-Disconnect-Notify (KM-6b).
  await control(a, 'pns-to-pac', wire.ccrq(a.pns));
  await control(a, 'pac-to-pns', wire.cdn(a.pns));
  await data(b, true);
  await data(b, false);
  // `conntrack -D -p gre`: the data entries go, and with them their calls' keymap pairs (KM-6a).
  const before = model.keymap();
  await lab.deleteGreEntries();
  const gone = model.deleteGreEntries();
  const after = model.keymap();
  steps.push({ kind: 'delete', entries: gone.length, removedCalls: [...new Set(gone.flatMap((e) => (e.master ? [e.master] : [])))].filter(() => after.length < before.length) });
  await data(cc, true);
  await data(b, false);
  await lab.reset(calls.map((c) => c.link!));
  const disagreements = steps.filter((s) => s.kind === 'data' && (!s.agree || !s.delivered)).length;
  return { steps, concurrentCalls, keymapAtPeak, disagreements };
}

export async function pptpSession(opts: { capture?: string } = {}): Promise<PptpSessionResult> {
  const lab = await PptpLab.open(opts.capture ? { capture: opts.capture } : {});
  try {
    return await runPptpSession(lab);
  } finally {
    await lab.close();
  }
}

/** What the expiry scenario saw: each datagram's kernel tuple beside the model's, and which branch the kernel took. */
export interface PptpExpiryResult {
  /** The GRE timeouts used, seconds. */
  readonly timeout: number;
  readonly datagrams: { readonly label: string; readonly kernel: Tuple | null; readonly model: Tuple | null; readonly agree: boolean }[];
  /** 'lookup': the first datagram after the timeout met its expired entry and reaped it; 'gc': it was reaped before. */
  readonly reapedBy: 'lookup' | 'gc';
  readonly entriesAfter: { readonly kernel: Tuple[]; readonly model: Tuple[] };
  readonly agree: boolean;
}

/**
 * K9 / KM-6a by expiry: one call, a datagram that makes its data entry from the expectation,
 * the router's GRE timeouts at 2 s and 3 s of silence, then two more datagrams. The first after
 * the silence either meets the expired entry (its tuple is built first, so it still has the
 * srckey; the lookup reaps the entry, the keymap pair goes) or finds it already reaped by the
 * gc worker (no srckey). The model gives both; the kernel must take one, and the rest of that
 * branch must follow.
 */
export async function runExpiryScenario(lab: PptpLab): Promise<PptpExpiryResult> {
  const timeout = 2;
  await lab.setGreTimeouts(timeout, timeout);
  const steps = [['pns-to-pac', wire.sccrq()], ['pac-to-pns', wire.sccrp(1)], ['pns-to-pac', wire.ocrq(0x0a0a)], ['pac-to-pns', wire.ocrp(0x0b0b, 0x0a0a)]] as const;
  const src = PNS_ADDRS[0];
  const link = await lab.connect(src);
  try {
    for (const [dir, bytes] of steps) {
      if (dir === 'pns-to-pac') await lab.pnsSend(link, bytes); else await lab.pacSend(link, bytes);
    }
    const send = (n: number) => lab.gre('pns', src, PAC_ADDR, wire.greV1(0x0b0b, n));
    const kernelOf = (s: { kernel?: GreRecord }) => (s.kernel?.state === 'tracked' ? s.kernel.tuple! : null);
    const first = await send(1);
    await new Promise((r) => setTimeout(r, (timeout + 1) * 1000));
    const second = await send(2);
    const third = await send(3);
    const kernelEntries = await lab.routerGreEntries();
    // The model of each branch, replayed from the start.
    const branch = (reapedBy: 'lookup' | 'gc') => {
      const m = new PptpModel();
      m.open('a', { pns: src, pac: PAC_ADDR });
      for (const [dir, bytes] of steps) m.control('a', dir, bytes);
      const tuples = [m.data(first.datagram).verdict.tuple];
      m.expireGreEntries();
      if (reapedBy === 'gc') m.reapExpired();
      tuples.push(m.data(second.datagram).verdict.tuple, m.data(third.datagram).verdict.tuple);
      return { tuples, entries: m.greEntries().map((e) => e.orig) };
    };
    const lookup = branch('lookup');
    const reapedBy = diffAnswers(lookup.tuples[1]!, kernelOf(second)).length === 0 ? 'lookup' : 'gc';
    const model = reapedBy === 'lookup' ? lookup : branch('gc');
    const sent = [first, second, third];
    const datagrams = ['first, from the expectation', `first after ${timeout + 1} s of silence`, 'the next'].map((label, i) => {
      const kernel = kernelOf(sent[i]!);
      return { label, kernel, model: model.tuples[i]!, agree: sent[i]!.delivered && diffAnswers(model.tuples[i]!, kernel).length === 0 };
    });
    const sameEntries = JSON.stringify(kernelEntries.map(tupleKey).sort()) === JSON.stringify(model.entries.map(tupleKey).sort());
    return { timeout, datagrams, reapedBy, entriesAfter: { kernel: kernelEntries, model: model.entries }, agree: sameEntries && datagrams.every((d) => d.agree) };
  } finally {
    await lab.reset([link]);
    await lab.setGreTimeouts(30, 180);
  }
}

/** One call set-up with one of its messages a byte short: what the kernel and the model expect after it. */
export interface ShortStepResult {
  readonly flow: 'outgoing' | 'incoming';
  /** The message sent a byte short, or 'none' for the whole set-up. */
  readonly short: string;
  readonly kernel: string[];
  readonly model: string[];
}

/**
 * Each call set-up (outgoing: SCCRQ SCCRP OCRQ OCRP; incoming: SCCRQ SCCRP ICRQ ICRP ICCN) whole,
 * then once with each message in turn a byte shorter than the kernel's struct, on a fresh
 * connection each time. The helper must leave a short message alone (pptp_msg_size), so the
 * set-up stops there; the router's GRE expectations afterwards show whether it did.
 */
export async function shortMessageSweep(lab: PptpLab): Promise<ShortStepResult[]> {
  const flows: { flow: ShortStepResult['flow']; steps: [string, Direction, Uint8Array][] }[] = [
    { flow: 'outgoing', steps: [['SCCRQ', 'pns-to-pac', wire.sccrq()], ['SCCRP', 'pac-to-pns', wire.sccrp(1)], ['OCRQ', 'pns-to-pac', wire.ocrq(0x0a0a)], ['OCRP', 'pac-to-pns', wire.ocrp(0x0b0b, 0x0a0a)]] },
    {
      flow: 'incoming', steps: [['SCCRQ', 'pns-to-pac', wire.sccrq()], ['SCCRP', 'pac-to-pns', wire.sccrp(1)], ['ICRQ', 'pac-to-pns', wire.icrq(0x0b0b)],
        ['ICRP', 'pns-to-pac', wire.icrp(0x0a0a, 0x0b0b)], ['ICCN', 'pac-to-pns', wire.iccn(0x0a0a)]],
    },
  ];
  const out: ShortStepResult[] = [];
  for (const { flow, steps } of flows) {
    for (let cut = -1; cut < steps.length; cut++) {
      const m = new PptpModel();
      const link = await lab.connect(PNS_ADDRS[0]);
      m.open('a', { pns: PNS_ADDRS[0], pac: PAC_ADDR });
      try {
        for (let i = 0; i < steps.length; i++) {
          const [, dir, whole] = steps[i]!;
          const bytes = i === cut ? wire.shortened(whole) : whole;
          if (dir === 'pns-to-pac') await lab.pnsSend(link, bytes); else await lab.pacSend(link, bytes);
          m.control('a', dir, bytes);
        }
        out.push({
          flow, short: cut < 0 ? 'none' : steps[cut]![0],
          kernel: (await lab.routerGreExpectations()).map(tupleKey).sort(), model: m.expectations().map(tupleKey).sort(),
        });
      } finally {
        await lab.reset([link]);
      }
    }
  }
  return out;
}
