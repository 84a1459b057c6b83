// `gre-conformance kernel`: the suite with the live kernel answering. The address mapping of the
// kernel adapter is checked everywhere; the suite itself runs as root on Linux (3,000 generated
// datagrams here; the CLI's default is 100,000) and is skipped elsewhere with the reason.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linuxVerdict } from '../oracles/index.ts';
import { answerForOriginal } from '../lab/kernel-adapter.ts';
import { AddressPlan } from '../lab/rewrite.ts';
import { kernelSpace, runKernelSuite } from '../lab/kernel-suite.ts';
import { labAvailable, leftoverNamespaces } from '../lab/index.ts';
import { diffAnswers } from '../runner/compare.ts';

const avail = await labAvailable();

describe('kernel adapter: the answer for the datagram the runner sent', () => {
  it('the oracle\'s tuple of the rewritten datagram, mapped back, is the oracle\'s tuple of the original', () => {
    fc.assert(fc.property(kernelSpace.arbitrary, (c) => {
      const { packet } = kernelSpace.encode(c);
      const sent = new AddressPlan().prepare(packet, 1).sent;
      const v = linuxVerdict(sent);
      // Pretend the kernel did exactly what the oracle says for the injected datagram.
      const back = answerForOriginal(packet, { outcome: v.outcome, tuple: v.tuple, sentPacket: sent });
      expect(diffAnswers(linuxVerdict(packet).tuple, back)).toEqual([]);
    }), { numRuns: 2000, seed: 3 });
  });

  it('invalid and not-seen are null; an address the kernel never built is left as it is, so it shows', () => {
    const p = Uint8Array.from(Buffer.from('4500002012340000402fe477c0000201c00002023001880b0000432100000001', 'hex'));
    const sent = new AddressPlan().prepare(p, 1).sent;
    expect(answerForOriginal(p, { outcome: 'invalid', tuple: null, sentPacket: sent })).toBeNull();
    const odd = answerForOriginal(p, { outcome: 'tracked', tuple: { src: '198.51.100.9', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0x4321 }, sentPacket: sent });
    expect(odd).toEqual({ src: '198.51.100.9', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0x4321 });
  });
});

if (!avail.ok) {
  describe('gre-conformance kernel', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('gre-conformance kernel: the oracle against the live kernel through the suite', () => {
    it('3,000 generated datagrams and the keymap-free vectors: no disagreement, every rule but the keymap rules and CT-1 covered', async () => {
      const r = await runKernelSuite({ seed: 20260301, runs: 3000, replayCommand: (id) => `npx gre-conformance kernel --replay ${id}` });
      expect(r.report.harnessFailure).toBeUndefined();
      expect(r.report.counterexamples.map((c) => `${c.rule} ${c.packet} ${c.replay}`)).toEqual([]);
      expect(r.report.totals.cases).toBe(3000);
      expect(r.uncovered).toEqual([]);
      expect(r.anomalies).toEqual([]);
      expect(r.packets).toBeGreaterThanOrEqual(3000);
      expect(await leftoverNamespaces()).toEqual([]);
    }, 60_000);
  });
}
