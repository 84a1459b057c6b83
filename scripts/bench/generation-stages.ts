// Where a generated corpus packet's time goes: the steps of generateChunk (corpus-tools), each
// timed on its own, in this thread, over the same cases. The stage clock costs about 0.1 µs a
// stage, so the stages add up to a little more than the whole; what matters is their shares.
import { drawCase, formatCaseId } from '../../runner/case-id.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { generatorsFingerprint } from '../../runner/generators-fingerprint.ts';
import { toHex } from '../../runner/hex.ts';
import { linuxDecide, parseKeymap, Decision, decisionTuple, decisionRules, OUTCOMES } from '../../oracles/index.ts';
import { RULE_IDS } from '../../spec/rules.ts';
import { formatExpectedLine } from '../../corpus-tools/expected-file.ts';

export const STAGES = ['draw (fast-check tree, scope filter)', 'encode and describe (one layout)', 'decide (linuxDecide)', 'expected line (hex, case id, JSON)'] as const;

/** Microseconds per packet in each stage, over cases seed:0..n-1 (after a warm-up of n/10). */
export function stageMicros(seed: number, n: number): number[] {
  const space = defaultSpace;
  const generators = generatorsFingerprint(space);
  const decision = new Decision();
  const spent = [0, 0, 0, 0];
  const warm = Math.ceil(n / 10);
  for (let index = -warm; index < n; index++) {
    const i = index < 0 ? index + warm : index;
    const t0 = performance.now();
    const value = drawCase(space.arbitrary, seed, i);
    const t1 = performance.now();
    const { packet, keymap, description } = space.encodeDescribed!(value);
    const t2 = performance.now();
    const d = linuxDecide(packet, parseKeymap(keymap), decision);
    const t3 = performance.now();
    formatExpectedLine({
      index: i, caseId: formatCaseId({ seed, index: i, path: [], generators }), packet: toHex(packet), keymap,
      expected: decisionTuple(d), outcome: OUTCOMES[d.outcome]!, rules: decisionRules(d), decidedBy: RULE_IDS[d.decidedBy]!, description,
    });
    const t4 = performance.now();
    if (index < 0) continue;
    spent[0]! += t1 - t0; spent[1]! += t2 - t1; spent[2]! += t3 - t2; spent[3]! += t4 - t3;
  }
  return spent.map((ms) => (ms * 1000) / n);
}
