// The Linux oracle against every hand-written vector: outcome, tuple, the rules it reports, the
// rules a boundary vector must not trigger, and the reply tuple for CT-1 vectors.
import { describe, expect, it } from 'vitest';
import { invertTuple, linuxTuple, linuxVerdict } from '../oracles/index.ts';
import { VECTORS, vectorBytes, type Vector } from '../spec/vectors.ts';

const label = (v: Vector) => `${v.id} [${v.rules.join(', ')}]${v.source ? ` (${v.source})` : ''}`;

describe('oracle agrees with every vector', () => {
  it.each(VECTORS.map((v) => [label(v), v] as const))('%s', (_name, v) => {
    const packet = vectorBytes(v);
    const context = { keymap: v.keymap ?? [] };
    const verdict = linuxVerdict(packet, context);
    expect({ outcome: verdict.outcome, tuple: verdict.tuple }).toEqual(v.expect);
    expect(linuxTuple(packet, context)).toEqual(v.expect.tuple);
    // CT-1 is about the reply tuple, which the verdict does not build: checked below instead.
    const reported = v.rules.filter((r) => r !== 'CT-1');
    expect(verdict.rules).toEqual(expect.arrayContaining(reported));
    for (const r of v.boundaryOf ?? []) expect(verdict.rules, `${r} must not fire`).not.toContain(r);
    if (v.expectReply) expect(invertTuple(verdict.tuple!)).toEqual(v.expectReply);
  });
});
