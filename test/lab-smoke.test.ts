// The oracle against the live kernel (lab/). Runs as root on Linux with ip, nft, conntrack and
// python3; anywhere else it is skipped with the reason and what to install, never failed.
// Compared per datagram as sent (after the lab rewrote its addresses): the contract answer and
// the outcome kind, except differences the lab expects and names (lab/compare.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import {
  REFERENCE_ROWS, compareWithOracle, labAvailable, leftoverNamespaces, openLab,
  type KernelObservation, type Lab, type LabDisagreement,
} from '../lab/index.ts';
import { labSamplePacket } from '../lab/sample-packets.ts';

const avail = await labAvailable();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Disagreements that are findings, each as one line a maintainer can replay. */
function findings(obs: readonly KernelObservation[]): string[] {
  return obs
    .map((o) => compareWithOracle(o))
    .filter((d): d is LabDisagreement => d !== undefined && d.expected === undefined)
    .map((d) => `${d.kind} ${d.oracle.decidedBy}: packet ${hex(d.kernel.sentPacket)} oracle ${d.oracle.outcome} ${JSON.stringify(d.oracle.tuple)} kernel ${d.kernel.outcome} ${JSON.stringify(d.kernel.tuple)} (${d.kernel.detail ?? ''})`);
}

if (!avail.ok) {
  describe('kernel lab', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('kernel lab: the oracle against the live kernel', () => {
    let lab: Lab | undefined;
    beforeAll(async () => { lab = await openLab(); }, 30_000);
    afterAll(async () => { await lab?.close(); });

    it('reference sheet section 8: every single-datagram G, L and V row behaves as observed on 6.18.44', async () => {
      const obs = await lab!.observe(REFERENCE_ROWS.map((r) => ({ packet: Uint8Array.from(Buffer.from(r.hex, 'hex')) })));
      const sheet = REFERENCE_ROWS.flatMap((r, i) => {
        const o = obs[i]!;
        const keys = o.tuple && { proto: o.tuple.proto, srckey: o.tuple.srckey, dstkey: o.tuple.dstkey };
        const ok = o.outcome === r.outcome && (r.keys === undefined || JSON.stringify(keys) === JSON.stringify(r.keys));
        return ok ? [] : [`${r.id}: sheet ${r.outcome} ${JSON.stringify(r.keys ?? null)}, kernel ${o.outcome} ${JSON.stringify(keys)}`];
      });
      expect(sheet).toEqual([]);
      // The rows include no case the lab excuses: oracle and kernel agree exactly.
      expect(obs.map((o) => compareWithOracle(o)).filter((d) => d !== undefined)).toEqual([]);
    }, 30_000);

    it('random GRE datagrams of every version, IPv4 options, IPv6 chains, lies and padding: no finding', async () => {
      const packets = fc.sample(labSamplePacket(), { seed: 20251124, numRuns: 500 });
      const t0 = performance.now();
      const obs = await lab!.observe(packets.map((packet) => ({ packet })));
      const perSecond = Math.round(packets.length / ((performance.now() - t0) / 1000));
      expect(findings(obs)).toEqual([]);
      // Every outcome kind occurs, so the comparison above is not vacuous.
      expect(new Set(obs.map((o) => o.outcome))).toEqual(new Set(['tracked', 'built-unconfirmed', 'invalid', 'not-seen']));
      expect(lab!.anomalies).toEqual([]);
      expect(perSecond).toBeGreaterThan(0);
    }, 30_000);

    const generators = new URL('../generators/index.ts', import.meta.url);
    it.skipIf(!existsSync(generators))('the suite\'s generators (greCase, empty keymaps): no finding', async () => {
      const g = await import(generators.href);
      const cases = fc.sample(g.greCase({ keymap: false }), { seed: 47, numRuns: 400 });
      const obs = await lab!.observe(cases.map((c: unknown) => ({ packet: g.encodeCase(c).packet as Uint8Array })));
      expect(findings(obs)).toEqual([]);
    }, 30_000);

    it('leaves no namespace behind once closed', async () => {
      await lab?.close();
      lab = undefined;
      expect(await leftoverNamespaces()).toEqual([]);
    }, 30_000);
  });
}
