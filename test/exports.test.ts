// Every entry of package.json's exports map resolves, by package name, to the API the README
// and the library example promise.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown>; scripts: Record<string, string> };

describe('the exports map', () => {
  it.each(Object.keys(pkg.exports))('%s resolves by package name', async (sub) => {
    const name = sub === '.' ? 'gre-conformance' : `gre-conformance/${sub.slice(2)}`;
    const m = await import(name);
    expect(Object.keys(m).length).toBeGreaterThan(0);
  });

  it('the main entry carries the suite, the oracle, the generators, captures and reporters', async () => {
    const m = await import('gre-conformance');
    for (const fn of ['checkConformance', 'assertConformance', 'linuxVerdict', 'linuxTuple', 'greCase', 'encodeCase',
      'readCapture', 'CaptureWriter', 'answersAgree', 'renderReport', 'runSuite', 'formatConntrackL']) {
      expect(typeof (m as Record<string, unknown>)[fn], fn).toBe('function');
    }
  });

  it('the oracle entry carries the allocation-free path the README shows', async () => {
    const m = await import('gre-conformance/oracle');
    for (const fn of ['linuxDecide', 'Decision', 'parseKeymap', 'decisionAgrees', 'decisionTuple', 'decisionVerdict']) {
      expect(typeof (m as Record<string, unknown>)[fn], fn).toBe('function');
    }
  });
});

describe('the npm scripts', () => {
  // npm puts node_modules/.bin on the PATH of a script, but never the package's own bin: in a
  // checkout, `gre-conformance` is found by npx, not by `npm run` (sh: not found).
  it.each(Object.entries(pkg.scripts))('%s runs a command a checkout has after npm ci', (_name, command) => {
    const program = command.split(/\s+/)[0]!;
    expect(program === 'node' || existsSync(new URL(`../node_modules/.bin/${program}`, import.meta.url)), `${program}: not node, not in node_modules/.bin`).toBe(true);
  });
});
