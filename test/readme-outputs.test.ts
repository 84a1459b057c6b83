// What README.md and examples/README.md show as the buggy example's report is what the command
// prints today (scripts/update-readme-outputs.ts --check; durations aside). A change to the
// generators, the shrinker or the report changes that output: regenerate with npm run readme:update.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

describe('README outputs', () => {
  it('are what the commands print now', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/update-readme-outputs.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'run npm run readme:update and review the diff').toContain('README outputs are current');
    expect(r.status).toBe(0);
  }, 120_000);
});
