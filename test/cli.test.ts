// The CLI end to end, as users and CI run it: exit codes (0 conformant, 1 wrong, 2 misbehaved,
// 3 usage), the NDJSON oracle server streaming, rule selection, fuzz mode with its reports,
// kernel generations and known divergences.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/gre-conformance.mjs');
const CORRECT = 'examples/js/correct.mjs';
const BUGGY = 'examples/js/buggy.mjs';
const env = { ...process.env, NO_COLOR: '1', CI: '1' };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const made: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'grec-cli-')); made.push(d); return d; };
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
const G05 = '4500002012340000402fe477c0000201c00002023001880b0000432100000001';
const V02 = '60000000000c2f4020010db800000000000000000000000120010db80000000000000000000000023001880b0000616100000001';

describe('gre-conformance oracle (NDJSON server)', () => {
  it('announces the contract and answers each request as it arrives, before stdin closes', async () => {
    const p = spawn(process.execPath, [BIN, 'oracle'], { cwd: ROOT, env });
    const lines: string[] = [];
    let buf = '';
    const next = () => new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(lines)}`)), 20_000);
      const check = () => {
        const i = buf.indexOf('\n');
        if (i < 0) return;
        clearTimeout(t);
        p.stdout.off('data', onData);
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        resolve(line);
      };
      const onData = (d: Buffer) => { buf += d.toString(); check(); };
      p.stdout.on('data', onData);
      check();
    });
    expect(JSON.parse(await next())).toEqual({ contract: '1.0' });
    p.stdin.write(JSON.stringify({ id: 1, packet: G05, keymap: [] }) + '\n');
    expect(JSON.parse(await next())).toEqual({ id: 1, tuple: { src: '192.0.2.1', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0x4321 } });
    // Still open: a second request gets its answer too (streaming, not batch-at-end).
    p.stdin.write(JSON.stringify({ id: 2, packet: G05, keymap: [{ src: '192.0.2.1', dst: '192.0.2.2', dstkey: 0x4321, srckey: 7 }] }) + '\n');
    expect(JSON.parse(await next())).toMatchObject({ id: 2, tuple: { srckey: 7, dstkey: 0x4321 } });
    p.stdin.write('not json\n');
    expect(JSON.parse(await next())).toMatchObject({ id: null, error: expect.stringContaining('line 3') });
    p.stdin.end();
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(3);
  });

  it('--explain adds the kernel outcome, the deciding rule and the reason', () => {
    const r = spawnSync(process.execPath, [BIN, 'oracle', '--explain'], { cwd: ROOT, env, encoding: 'utf8', input: JSON.stringify({ id: 9, packet: V02.replace('3001880b', '30010800'), keymap: [] }) + '\n' });
    const answer = JSON.parse(r.stdout.trim().split('\n')[1]!);
    expect(answer).toMatchObject({ id: 9, tuple: null, outcome: 'invalid', decidedBy: 'GRE-4' });
    expect(r.status).toBe(0);
  });
});

describe('usage', () => {
  it('--help and --version exit 0; --list prints every rule with its source', () => {
    expect(cli('--help').out).toMatch(/Exit codes: 0 conformant/);
    expect(cli('--version').out).toMatch(/^gre-conformance \d+\.\d+\.\d+/);
    const list = cli('--list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^GRE-5 +Version 1 PPP: dstkey/m);
    expect(list.out).toMatch(/nf_conntrack_proto_gre\.c gre_pkt_to_tuple/);
  });

  it.each([
    [['--runs', 'many', CORRECT], /--runs takes a whole number/],
    [['--rule', 'GRE-9', CORRECT], /"GRE-9" is not a rule ID/],
    [['no/such/impl.mjs'], /no\/such\/impl\.mjs/],
    [[], /no implementation given/],
    [['--packet', 'zz', CORRECT], /--packet takes the datagram as hex/],
    [['--replay', '1:2@00000000', CORRECT], /--replay: case 1:2@00000000 was drawn by generators 00000000, these are [0-9a-f]{8}: here the id names another packet/],
    [['--replay', 'nonsense', CORRECT], /--replay: "nonsense" is not a case id: seed:index\[:path\]\[@generators\]/],
  ])('%j is a usage error: exit 3 and a message', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(message);
  });
});

describe('selecting rules and cases', () => {
  it('--jobs draws the cases in worker threads and reports what one thread reports', () => {
    const run = (jobs: string) => cli(BUGGY, '--runs', '3000', '--seed', '77', '--no-vectors', '--jobs', jobs, '--reporter', 'json');
    const here = run('0'), there = run('2');
    expect(here.code).toBe(1);
    expect(there.code).toBe(1);
    const strip = (out: string) => { const r = JSON.parse(out); delete r.durationMs; return r; };
    expect(strip(there.out)).toEqual(strip(here.out));
    const bad = cli(BUGGY, '--jobs', 'many');
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/--jobs/);
  });

  it('--rule runs only cases that exercise the rule; --exclude leaves its cases out', () => {
    const only = cli(BUGGY, '--rule', 'GRE-5', '--runs', '2000', '--seed', '5', '--no-vectors');
    // The buggy example is wrong only on keyed v0 (GRE-2): cases that exercise GRE-5 are v1.
    expect(only.code).toBe(0);
    expect(only.out).toMatch(/^GRE-5 +- +2000 +0 /m);
    expect(only.out).toMatch(/PASS: 0 vectors and 2000 generated cases/);
    const excluded = cli(BUGGY, '--exclude', 'GRE-2', '--runs', '2000', '--seed', '5', '--verbose');
    expect(excluded.code).toBe(0);
    expect(excluded.out).toMatch(/^GRE-2 +- +0 +excluded/m);
  });

  it('--packet runs one datagram and prints a replay command for it', () => {
    const r = cli(BUGGY, '--packet', '4500001c12340000402fe47bc0000201c00002022000080000000b0b');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/replay: npx gre-conformance examples\/js\/buggy\.mjs --packet 4500001c/);
    // A datagram given as hex is a vector (a known answer), not a generated case.
    expect(r.out).toMatch(/^FAIL: 1 wrong answer \(1 vector, 0 generated\) under rule GRE-2 \(1\)$/m);
    const json = JSON.parse(cli(BUGGY, '--packet', '4500001c12340000402fe47bc0000201c00002022000080000000b0b', '--reporter', 'json').out);
    expect(json.totals).toMatchObject({ vectors: 1, vectorFailures: 1, cases: 0, failures: 0 });
    const replayed = JSON.parse(cli(BUGGY, '--replay', '5:17', '--reporter', 'json').out);
    expect(replayed.totals).toMatchObject({ vectors: 0, vectorFailures: 0, cases: 1 });
  });
});

describe('fuzz', () => {
  it('against a wrong implementation: exit 1 within the budget, a junit file an XML parser accepts', () => {
    const dir = tmp();
    const junit = join(dir, 'fuzz.xml');
    const t0 = Date.now();
    const r = cli('fuzz', BUGGY, '--duration', '8s', '--seed', '3', '--reporter', 'text', '--reporter', `junit:${junit}`);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(8_000 + 15_000);
    const xml = readFileSync(junit, 'utf8');
    const py = spawnSync('python3', ['-c', [
      'import sys, xml.etree.ElementTree as ET',
      'root = ET.parse(sys.argv[1]).getroot()',
      'suite = root.find("testsuite")',
      'cases = suite.findall("testcase")',
      'failed = [c.get("name").split(":")[0] for c in cases if c.find("failure") is not None]',
      'assert int(suite.get("tests")) == len(cases), (suite.get("tests"), len(cases))',
      'assert int(suite.get("failures")) == len(failed)',
      'print(",".join(failed))',
    ].join('\n'), junit], { encoding: 'utf8' });
    if (py.error) return; // no python3: the well-formedness is still checked below
    expect(py.status, py.stderr).toBe(0);
    expect(py.stdout.trim()).toBe('GRE-2');
    expect(xml).toMatch(/^<\?xml version="1\.0"/);
  });

  it('against a correct implementation: exit 0 when the budget is spent', () => {
    const t0 = Date.now();
    const r = cli('fuzz', CORRECT, '--duration', '3s', '--seed', '3', '--reporter', 'github');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
    expect(r.out).toMatch(/^::notice title=gre-conformance::conformant/m);
  });

  it('--max-failures collects failures under several rules before stopping', () => {
    const r = cli('fuzz', 'test/fixtures/wrong/l3-8-ext-headers-not-skipped.mjs', '--duration', '20s', '--max-failures', '2', '--seed', '4', '--quiet');
    expect(r.code).toBe(1);
    expect((r.out.match(/^FAIL [A-Z0-9-]+ - generated case/gm) ?? []).length).toBeGreaterThanOrEqual(2);
  });
});

describe('kernel generations', () => {
  it('--kernel changes the verdict on IPv6 GRE v1 the way the kernel history says', () => {
    // The current kernel gives V02 dstkey 0x6161; 5.1-5.11 counted IPv6 GRE invalid; before 5.1 the generic tracker took it (keys 0/0).
    const run = (k?: string) => cli(CORRECT, '--packet', V02, ...(k ? ['--kernel', k] : []), '--reporter', 'json');
    const now = JSON.parse(run().out);
    expect(now.exitCode).toBe(0);
    const v510 = JSON.parse(run('5.10').out);
    expect(v510.exitCode).toBe(1);
    expect(v510.counterexamples[0]).toMatchObject({ expected: null, actual: { dstkey: 0x6161 } });
    const v419 = JSON.parse(run('4.19').out);
    expect(v419.counterexamples[0]).toMatchObject({ expected: { dstkey: 0, srckey: 0 }, actual: { dstkey: 0x6161 } });
  });

  it('every report says which kernel generations the implementation matches', () => {
    const r = cli('test/fixtures/wrong/gre-8-ipv6-no-keys.mjs', '--runs', '3000', '--seed', '2', '--no-vectors', '--quiet');
    expect(r.out).toMatch(/kernel versions matched .*: 2\.6\.20 - 5\.0$/m);
  });
});

describe('known divergences', () => {
  it('failures under a declared rule are expected (exit 0); a declared rule that passes fails the run', () => {
    const dir = tmp();
    const file = join(dir, 'divergences.txt');
    writeFileSync(file, '# we key v0 tunnels on purpose\nGRE-2  keyed v0 tunnels get their RFC 2890 key\n');
    const buggy = cli(BUGGY, '--runs', '2000', '--seed', '1', '--known-divergences', file, '--quiet');
    expect(buggy.code, buggy.out).toBe(0);
    expect(buggy.out).toMatch(/known divergence GRE-2: expected failure/);
    const correct = cli(CORRECT, '--runs', '2000', '--seed', '1', '--known-divergences', file, '--quiet');
    expect(correct.code).toBe(1);
    expect(correct.out).toMatch(/known divergence GRE-2: UNEXPECTED PASS/);
    writeFileSync(file, 'GRE-22\n');
    expect(cli(CORRECT, '--known-divergences', file).err).toMatch(/divergences\.txt:1: "GRE-22" is not a rule ID/);
  });
});

describe('reporters', () => {
  it('tap and json agree with the text verdict; several reporters write at once', () => {
    const dir = tmp();
    const r = cli(BUGGY, '--runs', '1000', '--seed', '1', '--reporter', 'tap', '--reporter', `json:${join(dir, 'r.json')}`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^TAP version 14$/m);
    expect(r.out).toMatch(/^not ok \d+ - GRE-2: /m);
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(json.exitCode).toBe(1);
    const sum = json.rows.reduce((n: number, row: { failures: number; vectorFailures: number }) => n + row.failures + row.vectorFailures, 0);
    expect(sum).toBe(json.totals.failures + json.totals.vectorFailures);
  });

  it('NO_COLOR output has no escape codes', () => {
    expect(cli(BUGGY, '--runs', '300', '--seed', '1').out).not.toMatch(/\x1b\[/);
  });
});

describe('an implementation that misbehaves', () => {
  const M = 'test/fixtures/misbehaving/';
  it.each([
    ['throws.mjs', 'crash'], ['rejects.mjs', 'crash'], ['malformed.mjs', 'malformed'], ['exits.mjs', 'early-exit'],
    ['hangs-sync.mjs', 'timeout'], ['proc-crash.mjs', 'crash'], ['proc-hangs.mjs', 'timeout'], ['proc-garbage.mjs', 'malformed'],
  ])('%s: exit 2, the failure kind, the case and its packet', (file, kind) => {
    const t0 = Date.now();
    // The proc-* fixtures are executables written in JS: run them as commands, not as modules.
    const target = file.startsWith('proc-') ? ['--cmd', `node ${M}${file}`] : [M + file];
    const r = cli(...target, '--packet', '45', '--timeout', '400');
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toContain(`IMPLEMENTATION FAILURE (${kind})`);
    expect(r.out).toMatch(/while answering case packet/);
    expect(r.out).toMatch(/packet \(1 bytes\): 45$/m);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('a crash in the middle of a generated run names that case (seed:index) and keeps the results before it', () => {
    const dir = tmp();
    const impl = join(dir, 'crash-on-300th.mjs');
    writeFileSync(impl, [
      `import { toTuple as ok } from ${JSON.stringify(join(ROOT, CORRECT))};`,
      'let n = 0;',
      'export function toTuple(p, c) { if (++n === 300) throw new Error("boom on call 300"); return ok(p, c); }',
    ].join('\n'));
    const r = cli(impl, '--runs', '2000', '--seed', '8', '--no-vectors', '--reporter', 'json');
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out);
    expect(report.harnessFailure).toMatchObject({ kind: 'crash', caseId: expect.stringMatching(/^8:\d+@[0-9a-f]{8}$/), packet: expect.stringMatching(/^[0-9a-f]+$/) });
    expect(report.harnessFailure.message).toMatch(/boom on call 300/);
    expect(report.harnessFailure.replay).toMatch(/--replay 8:\d+@[0-9a-f]{8}$/);
    expect(report.totals.cases).toBe(299);
  });
});
