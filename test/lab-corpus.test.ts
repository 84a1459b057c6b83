// The project's own captures (corpus/lab/, recorded by scripts/lab-corpus.ts on the live
// kernel): the kernel's tuple pinned for every GRE datagram must be the oracle's, with the
// keymap the router had then. Reads files only, so it runs everywhere.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, ipDatagramOf } from '../capture/index.ts';
import { greByHeader } from '../corpus-tools/gre-datagram.ts';
import { parseExpectedFile } from '../corpus-tools/index.ts';
import { kernelVersusOracle, parseKernelLines, type KernelLine } from '../lab/lab-corpus.ts';

const DIR = new URL('../corpus/lab/', import.meta.url).pathname;
const names = readdirSync(DIR).filter((n) => n.endsWith('.kernel.ndjson')).map((n) => n.replace(/\.kernel\.ndjson$/, '')).sort();
const lines = (name: string): KernelLine[] => parseKernelLines(readFileSync(join(DIR, `${name}.kernel.ndjson`), 'utf8'));

describe('corpus/lab: the kernel\'s tuples recorded in the lab', () => {
  it('has the PPTP session and the NAT scenario\'s captures', () => {
    expect(names).toEqual(['nat-masquerade', 'nat-pptp', 'pptp-session']);
  });

  for (const name of names) {
    it(`${name}: every GRE datagram, the kernel's tuple equals the oracle's (with the pinned keymap)`, () => {
      const l = lines(name);
      expect(l.length).toBeGreaterThan(0);
      expect(l.map(kernelVersusOracle).filter((d) => d !== undefined)).toEqual([]);
    });

    it(`${name}: the pinned lines are the capture's GRE datagrams, in order, and the expected file agrees`, async () => {
      const fromCapture: { index: number; packet: string }[] = [];
      for await (const r of readCapture(join(DIR, `${name}.pcap`))) {
        const d = ipDatagramOf(r);
        if (!('skip' in d) && greByHeader(d.ip)) fromCapture.push({ index: r.index, packet: Buffer.from(d.ip).toString('hex') });
      }
      const l = lines(name);
      expect(l.map((x) => ({ index: x.index, packet: x.packet }))).toEqual(fromCapture);
      const expected = parseExpectedFile(readFileSync(join(DIR, `${name}.expected.ndjson`), 'utf8'), name);
      expect(expected.map((e) => ({ index: e.index, keymap: e.keymap, expected: e.expected }))).toEqual(l.map((x) => ({ index: x.index, keymap: x.keymap, expected: x.kernel.tuple })));
    });
  }

  it('GRE-6 and KM-3 from real keymaps: srckeys from the helper, and the first of two matching entries wins', () => {
    const s = lines('pptp-session');
    expect(s.filter((x) => (x.kernel.tuple?.srckey ?? 0) !== 0).length).toBeGreaterThanOrEqual(6);
    // Call B's datagram to the PAC carries the PAC call ID both calls got: call A's srckey, the first entry.
    const b = s.find((x) => x.what.startsWith('call B: 10.1.0.2 -> 10.2.0.2'))!;
    expect(b.kernel.tuple).toMatchObject({ srckey: 0x0a0a, dstkey: 0x0b0b });
  });

  it('NAT-4: host B\'s keyed v0 datagrams get the same tuple as host A\'s but for the address (the key is ignored)', () => {
    const n = lines('nat-masquerade');
    const fromB = n.filter((x) => x.what.startsWith('host B'));
    expect(fromB.length).toBeGreaterThan(0);
    for (const x of fromB) expect(x.kernel.tuple).toMatchObject({ src: '10.0.2.2', srckey: 0, dstkey: 0 });
  });
});
