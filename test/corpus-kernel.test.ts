// Issue 4, item 5: where the kernel lab runs, the pinned captures are replayed into the live
// kernel. Every pinned GRE datagram of every shared capture goes through the lab, and the
// kernel's answer must be the oracle's for the datagram as sent (the lab rewrites addresses so
// each entry maps to one packet), while test/corpus.test.ts pins the oracle's answer on the
// original bytes. Skipped with the reason off Linux, without root or without the tools.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithOracle, labAvailable, openLab } from '../lab/index.ts';
import { parseExpectedFile } from '../corpus-tools/index.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const PINNED = join(ROOT, 'corpus/shared');

function expectedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? expectedFiles(p) : n.endsWith('.expected.ndjson') ? [p] : [];
  });
}

const avail = await labAvailable();

describe.skipIf(!avail.ok)('pinned captures replayed into the live kernel', () => {
  it('every pinned GRE datagram: the kernel answers as the oracle does', async () => {
    const packets: { file: string; index: number; packet: Uint8Array }[] = [];
    for (const f of expectedFiles(PINNED)) {
      for (const line of parseExpectedFile(readFileSync(f, 'utf8'), f)) {
        // A record the snapshot length cut is not a datagram the kernel could have received.
        if (line.wireLength !== undefined || line.keymap.length > 0) continue;
        packets.push({ file: f.slice(PINNED.length + 1), index: line.index, packet: Uint8Array.from(Buffer.from(line.packet, 'hex')) });
      }
    }
    expect(packets.length).toBeGreaterThan(1000);
    const lab = await openLab();
    try {
      const obs = await lab.observe(packets.map((p) => ({ packet: p.packet })));
      const findings = obs.flatMap((o, i) => {
        const d = compareWithOracle(o);
        return d && !d.expected ? [{ at: `${packets[i]!.file}#${packets[i]!.index}`, ...d }] : [];
      });
      expect(findings, JSON.stringify(findings.slice(0, 3), null, 1)).toEqual([]);
    } finally {
      await lab.close();
    }
  }, 120_000);
});

describe.skipIf(avail.ok)('pinned captures replayed into the live kernel', () => {
  it.skip(`skipped: ${avail.ok ? '' : `${avail.reason}; ${avail.install}`}`, () => undefined);
});
