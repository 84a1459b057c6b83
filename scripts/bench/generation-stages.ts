// Where a generated corpus packet's time goes: the steps of generateChunk (corpus-tools), each
// timed on its own, in this thread, over the same cases. The stage clock costs about 0.1 µs a
// stage, so the stages add up to a little more than the whole; what matters is their shares.
import { drawCase } from '../../runner/case-id.ts';
import { caseIds } from '../../corpus-tools/generate-chunk.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { generatorsFingerprint } from '../../runner/generators-fingerprint.ts';
import { linuxDecide, parseKeymap, Decision } from '../../oracles/index.ts';
import { RecordChunk, RecordEncoder } from '../../capture/index.ts';
import { DescriptionBytes, ExpectedLineBytes } from '../../corpus-tools/expected-line-bytes.ts';

export const STAGES = [
  'draw (fast-check tree, scope filter)', 'encode and describe (one layout, description as bytes)', 'decide (linuxDecide)',
  'expected line (case id, tuple text, bytes)', 'capture record',
] as const;

const CHUNK = 2048;

/** Microseconds per packet in each stage, over cases seed:0..n-1 (after a warm-up of n/10). */
export function stageMicros(seed: number, n: number): number[] {
  const space = defaultSpace;
  const ids = caseIds(seed, generatorsFingerprint(space));
  const decision = new Decision();
  const sink = new DescriptionBytes();
  const encoder = new RecordEncoder();
  const spent = STAGES.map(() => 0);
  const warm = Math.ceil(n / 10);
  let records = new RecordChunk(encoder, 0, CHUNK * 128);
  let lines = new ExpectedLineBytes(CHUNK * 640);
  for (let index = -warm; index < n; index++) {
    const i = index < 0 ? index + warm : index;
    if (i % CHUNK === 0) {
      records = new RecordChunk(encoder, i, CHUNK * 128);
      lines = new ExpectedLineBytes(CHUNK * 640);
    }
    const t0 = performance.now();
    const value = drawCase(space.arbitrary, seed, i);
    const t1 = performance.now();
    sink.reset();
    const { packet, keymap, parsedKeymap } = space.encodeDescribedInto!(value, sink);
    const t2 = performance.now();
    const d = linuxDecide(packet, parsedKeymap ?? parseKeymap(keymap), decision);
    const t3 = performance.now();
    lines.addDecided(i, ids, packet, keymap, d, sink);
    const t4 = performance.now();
    records.add(packet);
    const t5 = performance.now();
    if (index < 0) continue;
    spent[0]! += t1 - t0; spent[1]! += t2 - t1; spent[2]! += t3 - t2; spent[3]! += t4 - t3; spent[4]! += t5 - t4;
  }
  return spent.map((ms) => (ms * 1000) / n);
}
