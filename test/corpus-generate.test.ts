// `corpus generate`: N generated cases as a capture plus FILE.expected.ndjson. Case i is the
// suite's case seed:i; the same arguments give the same bytes (whatever --jobs is); the capture
// reads back, through our reader and through tcpdump, as the datagrams the expected file pins.
import { describe, it, expect, afterAll } from 'vitest';
import { linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readCapture, ipDatagramOf, LINKTYPE } from '../capture/index.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { generateCase } from '../runner/case-id.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { defaultCorpusJobs, generateCorpus } from '../corpus-tools/generate.ts';
import { parseExpectedFile } from '../corpus-tools/expected-file.ts';
import { REPO_ROOT } from '../corpus-tools/paths.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-corpus-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const haveTcpdump = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status === 0;
const read = (p: string) => readFileSync(p);
const lines = (p: string) => parseExpectedFile(readFileSync(p, 'utf8'), p);

describe('corpus generate', () => {
  it('is byte-identical for the same seed (capture and expected file), and differs for another seed', async () => {
    const a = await generateCorpus({ count: 3000, seed: 5, out: join(tmp, 'a.pcap') });
    const b = await generateCorpus({ count: 3000, seed: 5, out: join(tmp, 'b.pcap') });
    const c = await generateCorpus({ count: 3000, seed: 6, out: join(tmp, 'c.pcap') });
    expect(Buffer.compare(read(a.capture), read(b.capture))).toBe(0);
    expect(Buffer.compare(read(a.expected), read(b.expected))).toBe(0);
    expect(Buffer.compare(read(a.capture), read(c.capture))).not.toBe(0);
    expect(a.expected).toBe(join(tmp, 'a.expected.ndjson'));
    console.log(`corpus generate: 3000 cases in ${a.ms.toFixed(0)} ms (${Math.round(3000 / (a.ms / 1000))} packets/s, this thread)`);
  });

  it('chunks made by worker threads, by this thread or by both write the same bytes as one thread', async () => {
    const opts = { count: 4000, seed: -9, format: 'pcapng', chunkSize: 700 } as const;
    const one = await generateCorpus({ ...opts, out: join(tmp, 'j1.pcapng') });
    expect(one.chunksMade).toEqual([6]);
    // Workers only: this thread writes what two workers made, in order.
    const workers = await generateCorpus({ ...opts, out: join(tmp, 'j2.pcapng'), jobs: 3, writerOnly: true });
    expect(workers.chunksMade[0]).toBe(0);
    expect(workers.workers).toEqual({ from: 'bundle' });
    expect(workers.chunksMade.reduce((a, b) => a + b)).toBe(6);
    // Both: this thread starts at once, the worker joins once it has loaded (how many chunks
    // each makes depends on timing; the bytes do not).
    const both = await generateCorpus({ ...opts, count: 60_000, out: join(tmp, 'j3.pcapng'), jobs: 2 });
    const oneBig = await generateCorpus({ ...opts, count: 60_000, out: join(tmp, 'j4.pcapng') });
    expect(both.chunksMade.reduce((a, b) => a + b)).toBe(Math.ceil(60_000 / 700));
    for (const [a, b] of [[one, workers], [oneBig, both]] as const) {
      expect(Buffer.compare(read(a.capture), read(b.capture))).toBe(0);
      expect(Buffer.compare(read(a.expected), read(b.expected))).toBe(0);
    }
  });

  it('where the workers cannot be bundled, starts them on their modules through tsx, says why, and writes the same bytes', async () => {
    const opts = { count: 3000, seed: 4, chunkSize: 500, jobs: 2, writerOnly: true } as const;
    const noBundler = () => Promise.reject(new Error('no esbuild here'));
    const modules = await generateCorpus({ ...opts, out: join(tmp, 'm.pcap') }, undefined, noBundler);
    expect(modules.workers).toEqual({ from: 'modules', why: 'no esbuild here' });
    expect(modules.chunksMade[0]).toBe(0);
    const one = await generateCorpus({ ...opts, jobs: 1, writerOnly: false, out: join(tmp, 'm1.pcap') });
    expect(one.workers).toBeUndefined();
    expect(Buffer.compare(read(one.capture), read(modules.capture))).toBe(0);
    expect(Buffer.compare(read(one.expected), read(modules.expected))).toBe(0);
  });

  it('does not wait, at the end, for a worker bundle still being made: this thread has made every chunk', async () => {
    const never = () => new Promise<URL>(() => {});
    const r = await generateCorpus({ count: 3000, seed: 4, chunkSize: 500, jobs: 2, out: join(tmp, 'n.pcap') }, undefined, never);
    expect(r.chunksMade).toEqual([6]);
    expect(r.workers).toBeUndefined();
  });

  it('writes a new file in place of an old one (a hard link keeps the old bytes), and writes through a symbolic link', async () => {
    const fresh = await generateCorpus({ count: 300, seed: 2, out: join(tmp, 'fresh.pcap') });
    // An old corpus, hard-linked elsewhere: replaced, not truncated, so the link keeps its bytes.
    const old = join(tmp, 'old.pcap');
    writeFileSync(old, 'old capture');
    writeFileSync(join(tmp, 'old.expected.ndjson'), 'old lines\n');
    linkSync(old, join(tmp, 'old-link.pcap'));
    await generateCorpus({ count: 300, seed: 2, out: old });
    expect(readFileSync(join(tmp, 'old-link.pcap'), 'utf8')).toBe('old capture');
    expect(Buffer.compare(read(old), read(fresh.capture))).toBe(0);
    expect(Buffer.compare(read(join(tmp, 'old.expected.ndjson')), read(fresh.expected))).toBe(0);
    // A symbolic link stays one, and its target gets the capture.
    writeFileSync(join(tmp, 'target.pcap'), 'old capture');
    symlinkSync(join(tmp, 'target.pcap'), join(tmp, 'via-link.pcap'));
    await generateCorpus({ count: 300, seed: 2, out: join(tmp, 'via-link.pcap') });
    expect(lstatSync(join(tmp, 'via-link.pcap')).isSymbolicLink()).toBe(true);
    expect(Buffer.compare(read(join(tmp, 'target.pcap')), read(fresh.capture))).toBe(0);
  });

  it('a worker that stops on its own is an error naming it, not a hang', async () => {
    // Its two chunks (a worker is given up to two at once) were never made.
    const exits = new URL('./fixtures/misbehaving/chunk-worker-exits.mjs', import.meta.url);
    const run = generateCorpus({ count: 3000, seed: 1, chunkSize: 500, out: join(tmp, 'exits.pcap'), jobs: 2, writerOnly: true }, exits);
    await expect(run).rejects.toThrow(/corpus generate: worker 1 stopped \(exit code 7\) with 2 chunk\(s\) unmade/);
  });

  it('an error in a worker is the run\'s error, its stack naming the worker\'s source lines', async () => {
    const throws = new URL('./fixtures/misbehaving/chunk-worker-throws.ts', import.meta.url);
    const run = generateCorpus({ count: 3000, seed: 1, chunkSize: 500, out: join(tmp, 'throws.pcap'), jobs: 2, writerOnly: true }, throws);
    const e = await run.then(() => undefined, (x: unknown) => x as Error);
    expect(e?.message).toBe('chunk worker failed');
    expect(e?.stack).toMatch(/at makeChunk \(.*test\/fixtures\/misbehaving\/chunk-worker-throws\.ts:6:9\)/);
  });

  it('record i is the suite\'s case seed:i: same datagram, keymap, answer and description', async () => {
    const r = await generateCorpus({ count: 500, seed: 42, out: join(tmp, 'same.pcap') });
    const ls = lines(r.expected);
    expect(ls).toHaveLength(500);
    for (const i of [0, 1, 17, 255, 499]) {
      const v = generateCase(defaultSpace.arbitrary, 42, i).value;
      const { packet, keymap } = defaultSpace.encode(v);
      const verdict = linuxVerdict(packet, { keymap });
      expect(ls[i]).toEqual({
        index: i, caseId: `42:${i}@${generatorsFingerprint(defaultSpace)}`, packet: Buffer.from(packet).toString('hex'), keymap,
        expected: verdict.tuple, outcome: verdict.outcome, rules: [...new Set(verdict.rules)], decidedBy: verdict.decidedBy,
        description: defaultSpace.describe!(v),
      });
    }
  });

  for (const [format, link] of [['pcap', 'raw'], ['pcapng', 'ethernet']] as const) {
    it(`${format}, ${link}: every record reads back as the datagram its line pins, with the pinned answer the oracle's`, async () => {
      const r = await generateCorpus({ count: 2000, seed: 3, out: join(tmp, `rb-${link}.${format}`), format, link });
      const ls = lines(r.expected);
      let i = 0;
      for await (const rec of readCapture(r.capture)) {
        const l = ls[i]!;
        expect(rec.index).toBe(i);
        expect(rec.linkType).toBe(link === 'raw' ? LINKTYPE.RAW : LINKTYPE.ETHERNET);
        expect(rec.timestamp).toEqual({ seconds: 0, nanoseconds: i * 1000 });
        const d = ipDatagramOf(rec);
        // A raw-IP record whose first nibble is not 4 or 6 is not IP to ipDatagramOf: the bytes are the datagram.
        const ip = 'skip' in d ? rec.data.subarray(link === 'raw' ? 0 : 14) : d.ip;
        expect(Buffer.from(ip).toString('hex')).toBe(l.packet);
        expect(linuxVerdict(ip, { keymap: l.keymap }).tuple).toEqual(l.expected);
        i++;
      }
      expect(i).toBe(2000);
    });
  }

  it('tcpdump reads a generated capture back as the same number of packets, each with its bytes and timestamp', async (ctx) => {
    ctx.skip(!haveTcpdump, 'tcpdump is not installed');
    const n = 20000;
    const r = await generateCorpus({ count: n, seed: 11, out: join(tmp, 'td.pcap') });
    const ls = lines(r.expected);
    const td = spawn('tcpdump', ['-r', r.capture, '-tt', '-nn', '-x'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let k = -1, bytes = '', bad = 0;
    const check = () => { if (k >= 0 && bytes !== ls[k]!.packet) bad++; };
    for await (const line of createInterface({ input: td.stdout! })) {
      // -x's dump comes last; a printer's own dump (e.g. an unknown PPP protocol) comes before it.
      const hexLine = /^\s+0x([0-9a-f]+):\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
      if (hexLine) { if (Number.parseInt(hexLine[1]!, 16) === 0) bytes = ''; bytes += hexLine[2]!.replace(/\s+/g, ''); continue; }
      const head = /^(\d+)\.(\d{6}) /.exec(line);
      const empty = line.startsWith('[Invalid header: caplen==0');
      if (!head && !empty) continue;
      check();
      k++;
      bytes = '';
      if (head) expect(Number(head[1]) * 1e6 + Number(head[2])).toBe(k);
    }
    check();
    expect(k + 1).toBe(n);
    expect(bad).toBe(0);
  }, 30_000);

  it('the CLI writes the files and says so; bad arguments are usage errors (exit 3)', () => {
    const bin = join(REPO_ROOT, 'bin', 'gre-conformance.mjs');
    const out = join(tmp, 'cli.pcap');
    const ok = spawnSync(process.execPath, [bin, 'corpus', 'generate', '--count', '50', '--seed', '8', '--out', out, '--link', 'ethernet'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`wrote 50 packets to ${out} (pcap, Ethernet, `);
    expect(ok.stdout).toContain(`seed 8: case i is the suite's case 8:i@${generatorsFingerprint(defaultSpace)};`);
    expect(lines(join(tmp, 'cli.expected.ndjson'))).toHaveLength(50);
    const one = spawnSync(process.execPath, [bin, 'corpus', 'generate', '--count', '1', '--seed', '8', '--out', join(tmp, 'one.pcap')], { encoding: 'utf8' });
    expect(one.stdout).toContain('wrote 1 packet to ');
    for (const [args, msg] of [
      [['--count', '5', '--seed', '1'], '--out FILE.pcap is required'],
      [['--count', '5', '--seed', '1', '--out', join(tmp, 'x.txt')], 'name the capture .pcap or .pcapng'],
      [['--count', 'many', '--seed', '1', '--out', out], '--count takes a whole number'],
      [['--count', '5', '--seed', '1', '--out', out, '--link', 'sll'], '--link is raw or ethernet'],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, 'corpus', 'generate', ...args], { encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(msg);
    }
  }, 30_000);

  it('uses worker threads by default only for large corpora on more than one CPU', () => {
    expect(defaultCorpusJobs(249_999, 8)).toBe(1);
    expect(defaultCorpusJobs(250_000, 1)).toBe(1);
    expect(defaultCorpusJobs(250_000, 2)).toBe(2);
    expect(defaultCorpusJobs(10_000_000, 16)).toBe(4);
  });
});
