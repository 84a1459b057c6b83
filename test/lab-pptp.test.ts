// The PPTP keymap model (models/pptp-helper.ts) on its own, then against the kernel's PPTP helper
// (lab/pptp-lab.ts): a scripted session with three concurrent calls and random command
// sequences (fast-check commands), every GRE datagram's kernel tuple equal to the oracle's with
// the model's keymap. The kernel part runs as root on Linux and is skipped elsewhere.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labAvailable, leftoverNamespaces } from '../lab/index.ts';
import { MSG_SIZE, PptpModel } from '../models/pptp-helper.ts';
import { parseGreExpectations } from '../lab/conntrack-table.ts';
import * as wire from '../models/pptp-wire.ts';
import { PAC_ADDR, PNS_ADDRS, PptpLab } from '../lab/pptp-lab.ts';
import { runExpiryScenario, runPptpSession, shortMessageSweep } from '../lab/pptp-scenario.ts';
import { checkPptpProperty } from '../lab/pptp-commands.ts';

const PNS = '10.1.0.2', PAC = '10.2.0.2';
const greFrom = (src: string, dst: string, callId: number) => wire.ipv4(src, dst, 1, wire.greV1(callId, 1));

/** A call set up on a new connection of the model; returns what the OCRP did. */
function call(m: PptpModel, id: string, pns: number, pac: number, opts: { peer?: number; result?: number; src?: string } = {}) {
  m.open(id, { pns: opts.src ?? PNS, pac: PAC });
  m.control(id, 'pns-to-pac', wire.sccrq());
  m.control(id, 'pac-to-pns', wire.sccrp(1));
  m.control(id, 'pns-to-pac', wire.ocrq(pns));
  return m.control(id, 'pac-to-pns', wire.ocrp(pac, opts.peer ?? pns, opts.result ?? 1));
}

describe('PPTP keymap model', () => {
  it('KM-4: an Outgoing-Call-Reply with Result Code 1 adds the ORIGINAL and the REPLY entry', () => {
    const m = new PptpModel();
    const e = call(m, 'a', 0x0a0a, 0x0b0b);
    expect(e.added).toEqual([
      { src: PNS, dst: PAC, dstkey: 0x0b0b, srckey: 0x0a0a },
      { src: PAC, dst: PNS, dstkey: 0x0a0a, srckey: 0x0b0b },
    ]);
    expect(m.data(greFrom(PNS, PAC, 0x0b0b)).verdict.tuple).toMatchObject({ srckey: 0x0a0a, dstkey: 0x0b0b });
    expect(m.data(greFrom(PAC, PNS, 0x0a0a)).verdict.tuple).toMatchObject({ srckey: 0x0b0b, dstkey: 0x0a0a });
  });

  it('KM-4: no entries for another Result Code, a wrong Peer\'s Call ID, or a call before the session is confirmed', () => {
    expect(call(new PptpModel(), 'a', 0x0a0a, 0x0b0b, { result: 3 }).added).toEqual([]);
    const wrong = call(new PptpModel(), 'a', 0x0a0a, 0x0b0b, { peer: 0x0c0c });
    expect(wrong.added).toEqual([]);
    expect(wrong.ignored).toMatch(/peer call ID/);
    const m = new PptpModel();
    m.open('a', { pns: PNS, pac: PAC });
    m.control('a', 'pns-to-pac', wire.sccrq());
    m.control('a', 'pac-to-pns', wire.sccrp(2));
    m.control('a', 'pns-to-pac', wire.ocrq(0x0a0a));
    expect(m.control('a', 'pac-to-pns', wire.ocrp(0x0b0b, 0x0a0a)).ignored).toMatch(/not confirmed/);
  });

  it('KM-4: an incoming call (ICRQ, ICRP with Accept, ICCN naming the PNS) adds the same pair an outgoing one does', () => {
    const m = new PptpModel();
    m.open('a', { pns: PNS, pac: PAC });
    m.control('a', 'pns-to-pac', wire.sccrq());
    m.control('a', 'pac-to-pns', wire.sccrp(1));
    expect(m.control('a', 'pac-to-pns', wire.icrq(0x0b0b)).added).toEqual([]);
    expect(m.control('a', 'pns-to-pac', wire.icrp(0x0a0a, 0x0b0b)).added).toEqual([]);
    expect(m.control('a', 'pac-to-pns', wire.iccn(0x0a0a)).added).toEqual([
      { src: PNS, dst: PAC, dstkey: 0x0b0b, srckey: 0x0a0a },
      { src: PAC, dst: PNS, dstkey: 0x0a0a, srckey: 0x0b0b },
    ]);
    expect(m.data(greFrom(PAC, PNS, 0x0a0a)).verdict.tuple).toMatchObject({ srckey: 0x0b0b, dstkey: 0x0a0a });
  });

  it('KM-4: no incoming call entries when the ICRP names another PAC call, does not accept, or the ICCN names another PNS call', () => {
    const incoming = (icrp: Uint8Array, iccn: Uint8Array) => {
      const m = new PptpModel();
      m.open('a', { pns: PNS, pac: PAC });
      for (const [dir, b] of [['pns-to-pac', wire.sccrq()], ['pac-to-pns', wire.sccrp(1)], ['pac-to-pns', wire.icrq(0x0b0b)], ['pns-to-pac', icrp]] as const) m.control('a', dir, b);
      return m.control('a', 'pac-to-pns', iccn);
    };
    expect(incoming(wire.icrp(0x0a0a, 0x0b0c), wire.iccn(0x0a0a)).ignored).toMatch(/no incoming call replied/);
    expect(incoming(wire.icrp(0x0a0a, 0x0b0b, 3), wire.iccn(0x0a0a)).ignored).toMatch(/no incoming call replied/);
    expect(incoming(wire.icrp(0x0a0a, 0x0b0b), wire.iccn(0x0c0c)).ignored).toMatch(/peer call ID/);
    expect(incoming(wire.icrp(0x0a0a, 0x0b0b), wire.iccn(0x0a0a)).added).toHaveLength(2);
  });

  it('reads a control message whose body is as long as the kernel\'s struct, and leaves one a byte shorter alone (pptp_msg_size)', () => {
    // Each message at the size the wire encoders write, which is the kernel's struct size.
    const sizes: [string, Uint8Array, number][] = [
      ['SCCRQ', wire.sccrq(), 144], ['OCRQ', wire.ocrq(1), 156], ['OCRP', wire.ocrp(1, 2), 20], ['ICRQ', wire.icrq(1), 208],
      ['ICRP', wire.icrp(1, 2), 12], ['ICCN', wire.iccn(1), 16], ['CCRQ', wire.ccrq(1), 4], ['CDN', wire.cdn(1), 136],
    ];
    for (const [name, bytes, body] of sizes) {
      expect(bytes.length - 12, name).toBe(body);
      expect(MSG_SIZE[bytes[9]!], name).toBe(body);
      const m = new PptpModel();
      m.open('a', { pns: PNS, pac: PAC });
      const dir = ['SCCRQ', 'OCRQ', 'ICRP', 'CCRQ'].includes(name) ? 'pns-to-pac' : 'pac-to-pns';
      expect(m.control('a', dir, wire.shortened(bytes)).ignored, name).toMatch(new RegExp(`body of ${body - 1} bytes, the helper needs ${body}`));
      expect(m.control('a', dir, bytes).ignored ?? '', name).not.toMatch(/body of/);
    }
  });

  it('reads the GRE expectations of /proc/net/nf_conntrack_expect, leaving other protocols out', () => {
    const text = [
      '300 l3proto = 2 proto=47 src=10.1.0.2 dst=10.2.0.2 srckey=0xa0a dstkey=0xb0b pptp',
      '299 l3proto = 2 proto=6 src=10.1.0.2 dst=10.2.0.2 sport=0 dport=21 ftp',
      '12 l3proto = 2 proto=47 src=10.2.0.2 dst=10.1.0.2 srckey=0xb0b dstkey=0x0 pptp',
      '',
    ].join('\n');
    expect(parseGreExpectations(text).map(({ line: _, ...t }) => t)).toEqual([
      { src: '10.1.0.2', dst: '10.2.0.2', proto: 47, srckey: 0x0a0a, dstkey: 0x0b0b },
      { src: '10.2.0.2', dst: '10.1.0.2', proto: 47, srckey: 0x0b0b, dstkey: 0 },
    ]);
  });

  it('KM-3: two calls with the same PAC call ID between the same addresses, the first entry wins', () => {
    const m = new PptpModel();
    call(m, 'a', 0x0a0a, 0x0b0b);
    call(m, 'b', 0x0c0c, 0x0b0b);
    expect(m.keymap()).toHaveLength(4);
    expect(m.data(greFrom(PNS, PAC, 0x0b0b)).verdict.tuple).toMatchObject({ srckey: 0x0a0a });
  });

  it('KM-6b: Call-Disconnect-Notify removes the call\'s pair; KM-6a: destroying a data entry removes its master\'s pair', () => {
    const m = new PptpModel();
    call(m, 'a', 0x0a0a, 0x0b0b);
    call(m, 'b', 0x0c0c, 0x0b0b);
    expect(m.control('a', 'pac-to-pns', wire.cdn(0x0a0a)).removed).toHaveLength(2);
    expect(m.data(greFrom(PNS, PAC, 0x0b0b))).toMatchObject({ entry: 'new', master: 'b', verdict: { tuple: { srckey: 0x0c0c } } });
    m.deleteGreEntries();
    expect(m.keymap()).toEqual([]);
  });

  it('an identical call (same addresses and call IDs) on a second connection gets no entries while the first one\'s expectations wait (-EBUSY)', () => {
    const m = new PptpModel();
    call(m, 'a', 0x0a0a, 0x0b0b);
    const second = call(m, 'b', 0x0a0a, 0x0b0b);
    expect(second.added).toEqual([]);
    expect(second.ignored).toMatch(/expectation refused/);
  });

  it('one call per control connection (KM-7): a second call on it keeps the first call\'s pair', () => {
    const m = new PptpModel();
    call(m, 'a', 0x0a0a, 0x0b0b);
    m.control('a', 'pns-to-pac', wire.ocrq(0x0c0c));
    const e = m.control('a', 'pac-to-pns', wire.ocrp(0x0b0c, 0x0c0c));
    expect(e.added).toEqual([]);
    expect(m.keymap().map((k) => k.srckey)).toEqual([0x0a0a, 0x0b0b]);
  });

  it('KM-7 as the 6.18.44 kernel does it: a second call with the same PAC call ID but another PNS call ID destroys the first call\'s pair', () => {
    const m = new PptpModel();
    call(m, 'a', 0x0a0a, 0x0b0b);
    m.control('a', 'pns-to-pac', wire.ocrq(0x0c0c));
    // ORIGINAL: same addresses and dst key (the PAC's 0x0b0b), a retransmission to
    // gre_key_cmpfn; REPLY: dst key 0x0c0c against 0x0a0a, refused, and the pair goes.
    const e = m.control('a', 'pac-to-pns', wire.ocrp(0x0b0b, 0x0c0c));
    expect(e.ignored).toMatch(/REPLY slot/);
    expect(e.removed).toHaveLength(2);
    expect(m.keymap()).toEqual([]);
    expect(m.expectations()).toHaveLength(0);
  });

  it('refuses to guess an incoming call through NAT (not modelled, not checked against the kernel)', () => {
    const m = new PptpModel();
    m.open('a', { pns: '10.0.1.2', pac: '192.0.2.2', reply: { src: '192.0.2.2', dst: '192.0.2.1' }, natCallId: 40000 });
    for (const [dir, b] of [['pns-to-pac', wire.sccrq()], ['pac-to-pns', wire.sccrp(1)], ['pac-to-pns', wire.icrq(0x0b0b)], ['pns-to-pac', wire.icrp(0x0a0a, 0x0b0b)]] as const) m.control('a', dir, b);
    expect(() => m.control('a', 'pac-to-pns', wire.iccn(0x0a0a))).toThrow(/incoming call through NAT .* not modelled/);
  });

  it('KM-6a by expiry: a datagram meeting its expired entry reaps it and keeps the keys; the next has none; a reaped entry gives none at once', () => {
    const lookup = new PptpModel();
    call(lookup, 'a', 0x0a0a, 0x0b0b);
    expect(lookup.data(greFrom(PNS, PAC, 0x0b0b))).toMatchObject({ entry: 'new', master: 'a' });
    lookup.expireGreEntries();
    const met = lookup.data(greFrom(PNS, PAC, 0x0b0b));
    expect(met).toMatchObject({ entry: 'new', verdict: { tuple: { srckey: 0x0a0a } } });
    expect(met.master).toBeUndefined();
    expect(lookup.keymap()).toEqual([]);
    expect(lookup.data(greFrom(PNS, PAC, 0x0b0b))).toMatchObject({ entry: 'new', verdict: { tuple: { srckey: 0 } } });
    expect(lookup.greEntries()).toHaveLength(2);
    const gc = new PptpModel();
    call(gc, 'a', 0x0a0a, 0x0b0b);
    gc.data(greFrom(PNS, PAC, 0x0b0b));
    gc.expireGreEntries();
    expect(gc.reapExpired()).toHaveLength(1);
    expect(gc.data(greFrom(PNS, PAC, 0x0b0b))).toMatchObject({ entry: 'new', verdict: { tuple: { srckey: 0 } } });
  });

  it('NAT-6: under NAT the ORIGINAL entry keeps the PNS\'s call ID, the REPLY entry expects the NATed one', () => {
    const m = new PptpModel();
    m.open('a', { pns: '10.0.1.2', pac: '192.0.2.2', reply: { src: '192.0.2.2', dst: '192.0.2.1' }, natCallId: 40000 });
    m.control('a', 'pns-to-pac', wire.sccrq());
    m.control('a', 'pac-to-pns', wire.sccrp(1));
    m.control('a', 'pns-to-pac', wire.ocrq(0x0a0a));
    expect(m.control('a', 'pac-to-pns', wire.ocrp(0x0b01, 40000)).added).toEqual([
      { src: '10.0.1.2', dst: '192.0.2.2', dstkey: 0x0b01, srckey: 0x0a0a },
      { src: '192.0.2.2', dst: '192.0.2.1', dstkey: 40000, srckey: 0x0b01 },
    ]);
  });
});

const avail = await labAvailable();

if (!avail.ok) {
  describe('PPTP through the kernel\'s helper', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('PPTP through the kernel\'s helper: kernel srckeys against the model', () => {
    it('scripted session: three concurrent calls, every GRE datagram delivered with the oracle\'s tuple', async () => {
      const s = await (async () => {
        const lab = await PptpLab.open();
        try { return await runPptpSession(lab); } finally { await lab.close(); }
      })();
      const data = s.steps.filter((x) => x.kind === 'data');
      expect(data.length).toBe(10);
      expect(data.filter((x) => !x.agree || !x.delivered)).toEqual([]);
      expect(s.concurrentCalls).toBeGreaterThanOrEqual(2);
      expect(data.filter((x) => x.kernel?.tuple?.srckey).length).toBeGreaterThanOrEqual(6);
    }, 30_000);

    it('a control message a byte shorter than the kernel\'s struct is left alone: each step of both call set-ups, expectations kernel == model', async () => {
      const lab = await PptpLab.open();
      try {
        const rows = await shortMessageSweep(lab);
        expect(rows).toHaveLength(5 + 6);
        for (const r of rows) expect(r.model, `${r.flow} set-up, ${r.short} short`).toEqual(r.kernel);
        // The whole set-ups expect data both ways; any short message stops them.
        for (const r of rows) expect(r.kernel, `${r.flow}, ${r.short} short`).toHaveLength(r.short === 'none' ? 2 : 0);
      } finally {
        await lab.close();
      }
    }, 60_000);

    it('K9 / KM-6a by expiry: the datagram that meets its expired entry still has the keys; the entry\'s death removes them for the next', async () => {
      const lab = await PptpLab.open();
      try {
        const r = await runExpiryScenario(lab);
        expect(r.datagrams.filter((d) => !d.agree)).toEqual([]);
        expect(r.agree).toBe(true);
        // The call's keys before the silence; none for the datagram after the one that reaped.
        expect(r.datagrams[0]!.kernel?.srckey).toBe(0x0a0a);
        expect(r.datagrams[1]!.kernel?.srckey).toBe(r.reapedBy === 'lookup' ? 0x0a0a : 0);
        expect(r.datagrams[2]!.kernel?.srckey).toBe(0);
        expect(r.entriesAfter.kernel).toHaveLength(r.reapedBy === 'lookup' ? 2 : 1);
        console.log(`K9 by expiry: reaped by ${r.reapedBy}; ${r.entriesAfter.kernel.length} GRE entries after`);
      } finally {
        await lab.close();
      }
    }, 60_000);

    it('`lab pptp --runs 0` prints the session, the byte-short sweep and the expiry, and exits 0', () => {
      const r = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/gre-conformance.mjs', import.meta.url)), 'lab', 'pptp', '--runs', '0'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/scripted session: 10 GRE datagrams, kernel srckeys == oracle's/);
      expect(r.stdout).toMatch(/9 set-ups, the helper left each short message alone; pending expectations == model/);
      expect(r.stdout).toMatch(/expiry \(K9, KM-6a; the router's GRE timeouts at 2 s\)/);
      expect(r.stdout.match(/^ {2}(first|the next).*  same$/gm)).toHaveLength(3);
    }, 120_000);

    it('random control and data sequences (fast-check commands): kernel == model, up to three concurrent calls', async () => {
      const lab = await PptpLab.open();
      try {
        const r = await checkPptpProperty(lab, { runs: 40, seed: 20260302 });
        expect(r.failure).toBeUndefined();
        expect(r.maxConcurrentCalls).toBeGreaterThanOrEqual(2);
        expect(r.withSrckey).toBeGreaterThan(0);
        // The same call twice on two connections: the second gets no keymap (expectation clash).
        const a = await lab.connect(PNS_ADDRS[0]);
        const b = await lab.connect(PNS_ADDRS[0]);
        const m = new PptpModel();
        for (const [id, l] of [['a', a], ['b', b]] as const) {
          m.open(id, { pns: PNS_ADDRS[0], pac: PAC_ADDR });
          for (const [dir, bytes] of [['pns-to-pac', wire.sccrq()], ['pac-to-pns', wire.sccrp(1)], ['pns-to-pac', wire.ocrq(0x0a0a)], ['pac-to-pns', wire.ocrp(0x0b0b, 0x0a0a)]] as const) {
            if (dir === 'pns-to-pac') await lab.pnsSend(l, bytes); else await lab.pacSend(l, bytes);
            m.control(id, dir, bytes);
          }
        }
        const cdn = wire.cdn(0x0a0a);
        await lab.pacSend(a, cdn);
        m.control('a', 'pac-to-pns', cdn);
        const sent = await lab.gre('pns', PNS_ADDRS[0], PAC_ADDR, wire.greV1(0x0b0b, 1));
        expect(sent.kernel?.tuple).toEqual(m.data(sent.datagram).verdict.tuple);
        expect(sent.kernel?.tuple?.srckey).toBe(0);
        await lab.reset([a, b]);
        // KM-7: on one connection, a second call with the PAC call ID of the first and another PNS
        // call ID: the kernel destroys the first call's pair (its GRE loses the srckey), as the
        // model says; under the 2026 pairwise API it would keep it.
        const c = await lab.connect(PNS_ADDRS[1]);
        const k = new PptpModel();
        k.open('c', { pns: PNS_ADDRS[1], pac: PAC_ADDR });
        const steps = [['pns-to-pac', wire.sccrq()], ['pac-to-pns', wire.sccrp(1)], ['pns-to-pac', wire.ocrq(0x0a0a)], ['pac-to-pns', wire.ocrp(0x0b0b, 0x0a0a)],
          ['pns-to-pac', wire.ocrq(0x0c0c)], ['pac-to-pns', wire.ocrp(0x0b0b, 0x0c0c)]] as const;
        for (const [dir, bytes] of steps) {
          if (dir === 'pns-to-pac') await lab.pnsSend(c, bytes); else await lab.pacSend(c, bytes);
          k.control('c', dir, bytes);
        }
        const after = await lab.gre('pns', PNS_ADDRS[1], PAC_ADDR, wire.greV1(0x0b0b, 2));
        expect(k.keymap()).toEqual([]);
        expect(after.kernel?.tuple).toEqual(k.data(after.datagram).verdict.tuple);
        expect(after.kernel?.tuple?.srckey).toBe(0);
        await lab.reset([c]);
      } finally {
        await lab.close();
      }
      expect(await leftoverNamespaces()).toEqual([]);
    }, 60_000);
  });
}
