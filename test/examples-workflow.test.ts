// examples/github-actions.yml (issue 5, item 2): valid YAML, a workflow on pull requests whose
// steps are the two commands a user runs, the suite and the fuzz mode, each writing a junit file
// that is uploaded. The two commands are then run as written, on the bundled examples.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, type RunArgs } from '../cli/args.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'gre-conformance.mjs');
const TEXT = readFileSync(join(ROOT, 'examples', 'github-actions.yml'), 'utf8');

/**
 * Parses YAML with the `yaml` package when it is installed, else with Python's PyYAML (Debian
 * python3-yaml); undefined when neither is there.
 */
async function parseYaml(text: string): Promise<{ doc: unknown; parser: string } | undefined> {
  const name = 'yaml';
  try {
    const m = (await import(/* @vite-ignore */ name)) as { parse(s: string): unknown };
    return { doc: m.parse(text), parser: 'yaml (npm)' };
  } catch {
    // not installed: try Python
  }
  const py = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: text, encoding: 'utf8' });
  if (py.error !== undefined) return undefined;
  if (py.status !== 0) {
    if (/No module named .?yaml/.test(py.stderr)) return undefined;
    throw new Error(`PyYAML rejected examples/github-actions.yml:\n${py.stderr}`);
  }
  return { doc: JSON.parse(py.stdout), parser: 'PyYAML' };
}

interface Step { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface Workflow { on?: unknown; true?: unknown; jobs: Record<string, { steps: Step[] }> }

/** The arguments after `npx gre-conformance` in a run step. */
function cliArgs(step: Step): string[] {
  const words = step.run!.trim().split(/\s+/);
  expect(words.slice(0, 2)).toEqual(['npx', 'gre-conformance']);
  return words.slice(2);
}

interface Run { code: number | null; stdout: string; stderr: string }
function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    execFile(process.execPath, [BIN, ...args], { cwd, env, maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
  });
}

describe('examples/github-actions.yml', async () => {
  const parsed = await parseYaml(TEXT);
  const wf = parsed?.doc as Workflow | undefined;
  const steps = wf ? Object.values(wf.jobs).flatMap((j) => j.steps) : [];
  const suite = steps.find((s) => s.run?.startsWith('npx gre-conformance ') && !s.run.includes(' fuzz '));
  const fuzz = steps.find((s) => s.run?.startsWith('npx gre-conformance fuzz '));
  const work = mkdtempSync(join(tmpdir(), 'gre-conformance-workflow-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is valid YAML and runs on pull requests: checkout, setup-node, npm ci', (ctx) => {
    ctx.skip(wf === undefined, 'no YAML parser: neither the yaml npm package nor python3 with PyYAML (python3-yaml)');
    // YAML 1.1 parsers (PyYAML) read the key `on` as the boolean true.
    const on = (wf!.on ?? wf!.true) as Record<string, unknown>;
    expect(Object.keys(on)).toContain('pull_request');
    expect(steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBeGreaterThanOrEqual(20);
    expect(steps.some((s) => s.run === 'npm ci')).toBe(true);
  });

  it('has the suite and the fuzz commands, each writing a junit file that is uploaded', (ctx) => {
    ctx.skip(wf === undefined, 'no YAML parser');
    expect(suite, 'a step running `npx gre-conformance <impl>`').toBeDefined();
    expect(fuzz, 'a step running `npx gre-conformance fuzz <impl>`').toBeDefined();
    const s = parseCli(cliArgs(suite!)) as RunArgs;
    const f = parseCli(cliArgs(fuzz!)) as RunArgs;
    expect(s).toMatchObject({ command: 'run', mode: 'suite', target: { path: './my-impl' } });
    expect(f).toMatchObject({ command: 'run', mode: 'fuzz', target: { path: './my-impl' }, durationMs: 60_000 });
    expect(f.reporters).toEqual([{ name: 'github' }, { name: 'junit', file: 'fuzz.xml' }]);
    const junit = [...s.reporters, ...f.reporters].filter((r) => r.name === 'junit').map((r) => r.file!);
    expect(junit).toHaveLength(2);
    const upload = steps.find((x) => x.uses?.startsWith('actions/upload-artifact@'));
    expect(upload, 'an upload-artifact step').toBeDefined();
    const paths = String(upload!.with?.path).split('\n').map((p) => p.trim()).filter(Boolean);
    expect(paths.sort()).toEqual([...junit].sort());
    // Uploaded, and fuzzed, even when the suite step failed.
    expect(upload!.if).toMatch(/always\(\)|!cancelled\(\)/);
    expect(fuzz!.if).toMatch(/always\(\)|!cancelled\(\)|failure\(\)/);
  });

  it('the suite command, as written, passes the correct example and writes its junit file', async (ctx) => {
    ctx.skip(suite === undefined, 'no YAML parser');
    const args = cliArgs(suite!).map((a) => (a === './my-impl' ? join(ROOT, 'examples/js/correct.mjs') : a));
    const r = await cli([...args, '--runs', '500', '--seed', '1'], work);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const file = (parseCli(args) as RunArgs).reporters.find((x) => x.name === 'junit')!.file!;
    const xml = readFileSync(join(work, file), 'utf8');
    expect(xml).toMatch(/^<\?xml /);
    expect(xml).toContain('name="GRE-2: ');
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
  });

  it('the fuzz command, as written, stops at the buggy example\'s first failure with an annotation and junit', async (ctx) => {
    ctx.skip(fuzz === undefined, 'no YAML parser');
    const args = cliArgs(fuzz!).map((a) => (a === './my-impl' ? join(ROOT, 'examples/js/buggy.mjs') : a));
    const started = Date.now();
    const r = await cli([...args, '--seed', '1'], work);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000); // long before the 60 s budget
    expect(r.stdout).toMatch(/^::error title=gre-conformance GRE-2::/m);
    const xml = readFileSync(join(work, 'fuzz.xml'), 'utf8');
    expect(xml).toMatch(/<testcase [^>]*name="GRE-2: [^"]*"[^>]*>\s*<failure/);
  });
});
