// One chunk of a generated corpus: cases seed:start .. seed:start+count-1, each generated exactly
// as the suite generates it (runner/case-id.ts drawCase), encoded, and answered by the
// oracle. Pure: the caller writes the capture and the expected file.
import { drawCase, formatCaseId } from '../runner/case-id.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';
import { defaultSpace } from '../runner/default-space.ts';
import type { CaseSpace } from '../runner/case-space.ts';
import { linuxDecide, parseKeymap, Decision, decisionTuple, decisionRules, OUTCOMES, inOracleScope } from '../oracles/index.ts';
import { RULE_IDS } from '../spec/rules.ts';
import { toHex } from '../runner/hex.ts';
import { formatExpectedLine } from './expected-file.ts';

export interface GeneratedChunk {
  /** The datagrams, in case order. */
  readonly packets: Uint8Array[];
  /** Their expected lines, each ending in a newline. */
  readonly lines: string;
  /** Cases whose answer the oracle does not give exactly (an L4 protocol with its own tracker). */
  readonly outOfScope: number;
}

export function generateChunk<T>(seed: number, start: number, count: number, space: CaseSpace<T> = defaultSpace as unknown as CaseSpace<T>): GeneratedChunk {
  const packets: Uint8Array[] = [];
  const lines: string[] = [];
  const decision = new Decision();
  const generators = generatorsFingerprint(space);
  let outOfScope = 0;
  for (let index = start; index < start + count; index++) {
    const value = drawCase(space.arbitrary, seed, index);
    const e = space.encodeDescribed ? space.encodeDescribed(value) : { ...space.encode(value), description: space.describe?.(value) };
    const { packet, keymap, description } = e;
    // The line has no reason text, so the numeric decision is enough (spelt out below).
    const d = linuxDecide(packet, parseKeymap(keymap), decision);
    if (!inOracleScope(d.l4proto < 0 ? undefined : d.l4proto)) outOfScope++;
    packets.push(packet);
    lines.push(formatExpectedLine({
      index, caseId: formatCaseId({ seed, index, path: [], generators }), packet: toHex(packet), keymap,
      expected: decisionTuple(d), outcome: OUTCOMES[d.outcome]!, rules: decisionRules(d), decidedBy: RULE_IDS[d.decidedBy]!,
      ...(description !== undefined ? { description } : {}),
    }) + '\n');
  }
  return { packets, lines: lines.join(''), outOfScope };
}
