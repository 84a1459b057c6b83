// The bundled examples (issue 5, item 6) run through the CLI as a user runs them, one per
// language, each where its toolchain exists: a missing toolchain skips its test with the reason.
// The CLI runs as `node bin/gre-conformance.mjs` (what npx runs, without npx's start-up), with a
// fixed seed and 2000 generated cases after the catalogue's vectors.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'gre-conformance.mjs');
const SUITE = ['--runs', '2000', '--seed', '1'];

interface Run { code: number | null; stdout: string; stderr: string }

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete e.FORCE_COLOR;
  return e;
}

function run(file: string, args: string[], extra: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: extra.cwd ?? ROOT, env: env(extra.env), maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: stderr + (err && code === null ? `\n${err.message}` : '') });
    });
  });
}

const cli = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args]);

/** Whether `cmd` runs here (the toolchain an example needs). */
function has(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: env() });
  return r.error === undefined && r.status === 0;
}

/** A passing run: exit 0 and the per-rule table with no failures. */
function expectPass(r: Run): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/^rule\s+vectors\s+cases\s+failures\s+statement$/m);
  expect(r.stdout).toMatch(/^GRE-5\s+\d+\/\d+\s+\d+\s+0\s/m);
  expect(r.stdout).toMatch(/^PASS: \d+ vectors and 2000 generated cases agree with the oracle$/m);
}

interface FailBlock { rule: string; caseId: string; packet: string; replay: string }

/** The "FAIL <rule>" sections of a text report. */
function failBlocks(text: string): FailBlock[] {
  return text.split(/\n(?=FAIL [A-Z0-9-]+ [(-])/).slice(1).map((b) => ({
    rule: /^FAIL (\S+)/.exec(b)?.[1] ?? '',
    caseId: /^ {2}case ([^\s,]+)/m.exec(b)?.[1] ?? '',
    packet: /^ {2}packet \(\d+ bytes\): ([0-9a-f]+)$/m.exec(b)?.[1] ?? '',
    replay: /^ {2}replay: (.+)$/m.exec(b)?.[1] ?? '',
  }));
}

describe('examples/js', () => {
  it('correct.mjs is conformant: exit 0 and the per-rule table', async () => {
    expectPass(await cli('examples/js/correct.mjs', ...SUITE));
  });

  it('buggy.mjs fails GRE-2 (exit 1), and the printed replay command fails again on the same case', async () => {
    const r = await cli('examples/js/buggy.mjs', ...SUITE);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^GRE-2\s+\d+\/\d+\s+\d+\s+[1-9]\d*\s/m);
    // Its one wrong belief is GRE-2, so every wrong answer must be put on GRE-2 (blame).
    expect(r.stdout).toMatch(/^FAIL: \d+ wrong answers? \(\d+ vectors?, \d+ generated\) under rule GRE-2 \(\d+\)$/m);
    // The generated (not vector) counterexample of GRE-2: a seed:index:path case id.
    const gen = failBlocks(r.stdout).find((b) => b.rule === 'GRE-2' && /^1:\d+/.test(b.caseId));
    expect(gen, r.stdout).toBeDefined();
    expect(gen!.packet).not.toBe('');
    expect(gen!.replay).toBe(`npx gre-conformance examples/js/buggy.mjs --replay ${gen!.caseId}`);

    // Run the command as printed (plain words, no quoting), with npx replaced by the entry point.
    const words = gen!.replay.split(' ');
    expect(words.slice(0, 2)).toEqual(['npx', 'gre-conformance']);
    const replay = await cli(...words.slice(2));
    expect(replay.code, replay.stderr).toBe(1);
    const again = failBlocks(replay.stdout);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ rule: 'GRE-2', caseId: gen!.caseId, packet: gen!.packet });
  });
});

describe('examples/python', () => {
  it('gre_tuple.py is conformant through --cmd', async (ctx) => {
    ctx.skip(!has('python3'), 'python3 not found');
    expectPass(await cli('--cmd', 'python3 examples/python/gre_tuple.py', ...SUITE));
  });
});

describe('examples/c', () => {
  it('gre_tuple, built with make, is conformant as an executable', async (ctx) => {
    ctx.skip(!has('cc') || !has('make'), 'no C compiler (cc) or make');
    const build = await run('make', ['-C', 'examples/c']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expectPass(await cli('./examples/c/gre_tuple', ...SUITE));
  });
});

describe('examples/go', () => {
  it('gre_tuple, built with go build, is conformant as an executable', async (ctx) => {
    ctx.skip(!has('go', ['version']), 'no Go toolchain (go)');
    // GOTOOLCHAIN=local: never try to download a newer toolchain for go.mod's go line.
    const goEnv: Record<string, string> = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
    if (!process.env.GOCACHE && !process.env.HOME && !process.env.XDG_CACHE_HOME) goEnv.GOCACHE = join(ROOT, 'tmp', 'go-cache');
    const build = await run('go', ['build', '-o', 'gre_tuple', '.'], { cwd: join(ROOT, 'examples', 'go'), env: goEnv });
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expectPass(await cli('./examples/go/gre_tuple', ...SUITE));
  });
});
