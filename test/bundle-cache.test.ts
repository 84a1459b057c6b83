// bin/bundle-cache.mjs: the CLI and corpus generate's workers start from one bundled file, made
// again only when a file it was made from changes. A stale bundle would run old code; a bundle
// that moved import.meta.url would lose every file found beside a module.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { answered, bundleInMemory, cachedBundle } from '../bin/bundle-cache.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/gre-conformance.mjs');
const made: string[] = [];
const temp = (prefix: string) => { const d = mkdtempSync(join(tmpdir(), prefix)); made.push(d); return d; };
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

/** A small program in a folder of its own: main.ts imports lib/b.ts, which reads a file beside itself. */
function program(): { src: string; entry: URL; cache: string } {
  const src = temp('grec-bundle-src-');
  writeFileSync(join(src, 'main.ts'), "import { say } from './lib/b.ts';\nconst n: number = 1;\nconsole.log(say(n));\n");
  mkdirSync(join(src, 'lib'));
  writeFileSync(join(src, 'lib/b.ts'), [
    "import { readFileSync } from 'node:fs';",
    'export function say(n: number): string {',
    "  if (n < 0) throw new Error('negative');",
    "  return `${readFileSync(new URL('./word.txt', import.meta.url), 'utf8').trim()} ${n} ${import.meta.dirname.endsWith('lib')}`;",
    '}',
  ].join('\n'));
  writeFileSync(join(src, 'lib/word.txt'), 'hello\n');
  return { src, entry: pathToFileURL(join(src, 'main.ts')), cache: join(temp('grec-bundle-cache-'), 'nested', 'dir') };
}

const run = (file: URL, ...flags: string[]) => spawnSync(process.execPath, [...flags, file.pathname], { encoding: 'utf8' });

describe('bundle cache', () => {
  it('makes the bundle once, then gives the cached file while no source changes', async () => {
    const p = program();
    const first = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    expect(first.built).toBe(true);
    expect(first.url.pathname).toBe(join(p.cache, 'main.mjs'));
    const again = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    expect(again).toEqual({ url: first.url, built: false });
  });

  it('runs each module with its own import.meta.url and dirname, so files beside a module are found', async () => {
    const p = program();
    const { url } = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    const r = run(url);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello 1 true\n');
  });

  it('makes it again when a source changes, even to the same size (its modification time moved)', async () => {
    const p = program();
    await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    writeFileSync(join(p.src, 'main.ts'), "import { say } from './lib/b.ts';\nconst n: number = 2;\nconsole.log(say(n));\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(p.src, 'main.ts'), later, later);
    const second = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    expect(second.built).toBe(true);
    expect(run(second.url).stdout).toBe('hello 2 true\n');
    // A file read at run time (not imported) is not an input: changing it rebuilds nothing.
    writeFileSync(join(p.src, 'lib/word.txt'), 'hi\n');
    const third = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    expect(third.built).toBe(false);
    expect(run(third.url).stdout).toBe('hi 2 true\n');
  });

  it('makes it again for another entry cached under the same name', async () => {
    const p = program();
    await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    writeFileSync(join(p.src, 'other.ts'), "console.log('other');\n");
    const other = await cachedBundle(pathToFileURL(join(p.src, 'other.ts')), { name: 'main', dir: p.cache });
    expect(other.built).toBe(true);
    expect(run(other.url).stdout).toBe('other\n');
  });

  it('names the sources in stack traces (its source map) when source maps are on', async () => {
    const p = program();
    writeFileSync(join(p.src, 'main.ts'), "import { say } from './lib/b.ts';\nconst n: number = -1;\nconsole.log(say(n));\n");
    const { url } = await cachedBundle(p.entry, { name: 'main', dir: p.cache });
    const r = run(url, '--enable-source-maps');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${join(p.src, 'lib/b.ts')}:3:`);
  });

  it('fails, for its caller to start from the sources, when the cache cannot be written', async () => {
    const p = program();
    const blocked = join(temp('grec-bundle-blocked-'), 'a-file');
    writeFileSync(blocked, '');
    await expect(cachedBundle(p.entry, { name: 'main', dir: join(blocked, 'cache') })).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  it('where the cache cannot be written, makes the bundle in memory (a data: URL), import.meta per module as well', async () => {
    const p = program();
    const url = await bundleInMemory(p.entry);
    expect(url.protocol).toBe('data:');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(url.href)})`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello 1 true\n');
    process.env.GRE_CONFORMANCE_FROM_SOURCES = '1';
    try {
      await expect(bundleInMemory(p.entry)).rejects.toThrow('GRE_CONFORMANCE_FROM_SOURCES is set');
      await expect(cachedBundle(p.entry, { dir: p.cache })).rejects.toThrow('GRE_CONFORMANCE_FROM_SOURCES is set');
    } finally {
      delete process.env.GRE_CONFORMANCE_FROM_SOURCES;
    }
  });

  it('gives up on a build that never answers, stopping esbuild, instead of hanging the start', async () => {
    let stopped = 0;
    const esbuild = { stop: () => { stopped++; } };
    await expect(answered(esbuild, Promise.resolve('built'), 50)).resolves.toBe('built');
    expect(stopped).toBe(0);
    await expect(answered(esbuild, new Promise(() => {}), 50)).rejects.toThrow('esbuild did not answer within 0.05 s');
    expect(stopped).toBe(1);
  });

  it('the CLI starts from its bundle, or from its sources when told to; both run the same commands', () => {
    const bundled = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(bundled.stdout).toMatch(/^gre-conformance \d+\.\d+\.\d+\nstarted from its bundle .*node_modules\/\.cache\/gre-conformance\/cli\.mjs\n$/);
    const env = { ...process.env, GRE_CONFORMANCE_FROM_SOURCES: '1' };
    const sources = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', env });
    expect(sources.stdout).toMatch(/started from its sources through tsx \(GRE_CONFORMANCE_FROM_SOURCES is set\)/);
    const list = (e?: NodeJS.ProcessEnv) => spawnSync(process.execPath, [BIN, '--list'], { encoding: 'utf8', ...(e ? { env: e } : {}) }).stdout;
    expect(list()).toBe(list(env));
    // A suite run: its module adapter's worker from its bundle, or from module-worker.mjs
    // through tsx; a TypeScript implementation either way.
    const suite = (impl: string, e?: NodeJS.ProcessEnv) => {
      const r = spawnSync(process.execPath, [BIN, impl, '--runs', '200', '--seed', '3'], { cwd: ROOT, encoding: 'utf8', ...(e ? { env: e } : {}) });
      return { code: r.status, last: r.stdout.trim().split('\n').at(-1) };
    };
    const ts = join(temp('grec-bundle-impl-'), 'impl.ts');
    writeFileSync(ts, `import { toTuple as js } from ${JSON.stringify(join(ROOT, 'examples/js/correct.mjs'))};\nexport const toTuple = (p: Uint8Array, c: unknown) => js(p, c);\n`);
    for (const impl of ['examples/js/correct.mjs', ts]) {
      const a = suite(impl), b = suite(impl, env);
      expect(a).toEqual({ code: 0, last: 'PASS: 173 vectors and 200 generated cases agree with the oracle' });
      expect(b).toEqual(a);
    }
  });
});
