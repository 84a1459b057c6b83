// The kernel lab leaves nothing behind when its process is interrupted: SIGTERM and SIGINT run
// its cleanup; after SIGKILL, which runs nothing, the next lab sweeps the namespaces of the dead
// owner. Skipped, with the reason, where the lab cannot run.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { labAvailable, labNamespaces, openLab } from '../lab/index.ts';

const avail = await labAvailable();
const HOLD = fileURLToPath(new URL('../scripts/lab-hold.ts', import.meta.url));

/** Starts a process that opens a lab and waits; resolves with it and its namespace names. */
function holdLab(): Promise<{ child: ChildProcess; names: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    child.stdout!.on('data', (d) => {
      out += d;
      const eol = out.indexOf('\n');
      if (eol >= 0) {
        const ns = JSON.parse(out.slice(0, eol)) as { rx: string; tx: string };
        resolve({ child, names: [ns.rx, ns.tx] });
      }
    });
    child.on('exit', (code, signal) => reject(new Error(`lab-hold exited early (${signal ?? code}): ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function present(names: readonly string[]): Promise<string[]> {
  const all = new Set(await labNamespaces());
  return names.filter((n) => all.has(n));
}

if (!avail.ok) {
  describe('kernel lab cleanup', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('kernel lab cleanup', () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal}: an interrupted run removes its namespaces`, async () => {
        const { child, names } = await holdLab();
        expect(await present(names)).toEqual(names);
        child.kill(signal);
        await exited(child);
        expect(await present(names)).toEqual([]);
      }, 30_000);
    }

    it('SIGKILL: the next lab sweeps the namespaces of the dead run', async () => {
      const { child, names } = await holdLab();
      child.kill('SIGKILL');
      await exited(child);
      const lab = await openLab();
      await lab.close();
      expect(await present(names)).toEqual([]);
    }, 30_000);
  });
}
