// The seed's NAT scenario (`gre-conformance lab nat`): the oracle's prediction (models/nat-router.ts)
// on its own, then beside the live kernel in all four variants (reference sheet NAT-4, NAT-5
// A/B/C, NAT-6). The kernel part runs as root on Linux and is skipped elsewhere.
import { describe, expect, it } from 'vitest';
import { labAvailable, leftoverNamespaces } from '../lab/index.ts';
import { NatRouterModel } from '../models/nat-router.ts';
import { runNatScenarios } from '../lab/nat-scenario.ts';
import { formatNatReport } from '../lab/nat-report.ts';
import * as wire from '../models/pptp-wire.ts';

const keyed = (src: string, key: number) => wire.ipv4(src, '192.0.2.2', key, wire.greV0Keyed(key, new Uint8Array(20)));

describe('NAT prediction', () => {
  it('NAT-4: the second inside host\'s keyed v0 tunnel to the same server clashes at confirm and is dropped', () => {
    const m = new NatRouterModel({ outside: '192.0.2.1', inside: ['10.0.1.2', '10.0.2.2'], notrack: false });
    const a = m.arrive(keyed('10.0.1.2', 1), 'inside');
    const b = m.arrive(keyed('10.0.2.2', 2), 'inside');
    expect(a.fate.kind).toBe('forwarded');
    expect(b.tuple).toMatchObject({ src: '10.0.2.2', srckey: 0, dstkey: 0 });
    expect(b.fate).toMatchObject({ kind: 'dropped' });
    expect([m.insertFailed, m.drop]).toEqual([1, 1]);
    // The server's key-2 datagram to the outside address is de-NATed to host A.
    const back = m.arrive(wire.ipv4('192.0.2.2', '192.0.2.1', 9, wire.greV0Keyed(2, new Uint8Array(20))), 'outside');
    expect(back.fate).toMatchObject({ kind: 'forwarded', to: '10.0.1.2' });
  });

  it('NAT-5 B/C: NOTRACK tracks nothing; with stateless rewrites each key reaches its host', () => {
    const b = new NatRouterModel({ outside: '192.0.2.1', inside: [], notrack: true });
    expect(b.arrive(keyed('10.0.1.2', 1), 'inside')).toMatchObject({ tuple: null, fate: { kind: 'forwarded', to: '192.0.2.2' } });
    expect(b.arrive(wire.ipv4('192.0.2.2', '192.0.2.1', 3, wire.greV0Keyed(2, new Uint8Array(4))), 'outside').fate.kind).toBe('local');
    const c = new NatRouterModel({ outside: '192.0.2.1', inside: [], notrack: true, rewrites: [{ key: 1, host: '10.0.1.2' }, { key: 2, host: '10.0.2.2' }] });
    expect(c.arrive(wire.ipv4('192.0.2.2', '192.0.2.1', 3, wire.greV0Keyed(2, new Uint8Array(4))), 'outside').fate).toMatchObject({ kind: 'forwarded', to: '10.0.2.2' });
  });
});

const avail = await labAvailable();

if (!avail.ok) {
  describe('lab nat', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('lab nat: the seed\'s scenario on the live kernel', () => {
    it('A: one tunnel passes, the other is dropped (insert_failed); B: NOTRACK, no replies; C: both; D: PPTP both; kernel == oracle in each', async () => {
      const r = await runNatScenarios({ packets: 2 });
      const text = formatNatReport(r);
      for (const v of r.scenarios) expect(v.differences, `${v.id}\n${text}`).toEqual([]);
      const [a, b, c, d] = r.scenarios;
      expect(a!.kernel.hosts.map((h) => h.replies)).toEqual([2, 0]);
      expect([a!.kernel.insertFailed, a!.kernel.drop]).toEqual([2, 2]);
      expect(a!.kernel.entries).toHaveLength(1);
      expect(a!.kernel.unsolicited).toMatchObject({ hostA: 2, hostB: 0 });
      expect(b!.kernel.hosts.map((h) => h.replies)).toEqual([0, 0]);
      expect(b!.kernel.serverNoRoute).toBe(4);
      expect(b!.kernel.entries).toEqual([]);
      expect(c!.kernel.hosts.map((h) => h.replies)).toEqual([2, 2]);
      expect(c!.kernel.unsolicited).toMatchObject({ hostB: 2 });
      expect(d!.kernel.hosts.map((h) => h.replies)).toEqual([2, 2]);
      expect(text).toMatch(/Summary: the kernel did what the oracle predicted in all 4 variants/);
      expect(await leftoverNamespaces()).toEqual([]);
    }, 60_000);
  });
}
