// Ctrl-C in the middle of `gre-conformance kernel`, `lab nat` and `lab pptp`: the CLI is
// interrupted (SIGINT) while its namespaces, agents, injector, shells and tcpdump run, and
// afterwards none of its namespaces (with their veth and nft tables) and none of the processes
// it started are left; a complete run leaves nothing either. Skipped where the lab cannot run.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labAvailable, labNamespaces } from '../lab/index.ts';
import { run, which } from '../lab/exec.ts';
import { tcpdumpPath } from '../lab/capture.ts';

const avail = await labAvailable();
const BIN = fileURLToPath(new URL('../bin/gre-conformance.mjs', import.meta.url));

/** Every process whose parent chain leads to pid, with its command line. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      let cmd = '';
      try { cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(); } catch { /* gone */ }
      out.push({ pid: c, cmd });
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return ''; }
}

const owned = async (pid: number) => (await labNamespaces()).filter((n) => n.startsWith('grec-') && n.includes(`-${pid}-`));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Starts the CLI and waits until a process matching `busy` runs under it (the run is well under way). */
async function startRun(args: string[], busy: RegExp): Promise<{ child: ChildProcess; started: { pid: number; cmd: string }[]; names: string[] }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  child.stdout!.resume();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const procs = descendants(child.pid!);
    const names = await owned(child.pid!);
    if (names.length > 0 && procs.some((p) => busy.test(p.cmd))) {
      await new Promise((r) => setTimeout(r, 300));
      return { child, started: descendants(child.pid!), names: await owned(child.pid!) };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gre-conformance ${args.join(' ')} did not get under way: exit ${child.exitCode}, ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rootTables(): Promise<string> {
  const nft = which('nft');
  return nft ? (await run(nft, ['list', 'tables'])).stdout : '';
}

if (!avail.ok) {
  describe('interrupted lab runs', () => {
    it.skip(`skipped: ${avail.reason}; ${avail.install}`, () => undefined);
  });
} else {
  describe('interrupted lab runs leave nothing behind', () => {
    const cases: { args: string[]; busy: RegExp; what: string }[] = [
      { args: ['kernel', '--runs', '50000000', '--seed', '1', '--no-vectors'], busy: /injector\.py/, what: 'injector' },
      { args: ['lab', 'nat', '--packets', '1000'], busy: /agent\.py/, what: 'agents' },
      tcpdumpPath()
        ? { args: ['lab', 'pptp', '--runs', '1000000', '--seed', '1', '--capture', '/dev/null'], busy: /tcpdump/, what: 'agents and tcpdump' }
        : { args: ['lab', 'pptp', '--runs', '1000000', '--seed', '1'], busy: /agent\.py/, what: 'agents; no tcpdump installed' },
    ];
    for (const c of cases) {
      it(`SIGINT during gre-conformance ${c.args.slice(0, 2).join(' ')} (${c.what} running): no namespace, nft table or process left`, async () => {
        const before = await rootTables();
        const { child, started, names } = await startRun(c.args, c.busy);
        expect(names.length).toBeGreaterThan(0);
        expect(started.length).toBeGreaterThan(0);
        child.kill('SIGINT');
        const how = await exited(child);
        expect(how.signal ?? how.code).not.toBe(0);
        expect(await owned(child.pid!)).toEqual([]);
        // tsx's esbuild service is the CLI's loader, not the lab's: it exits when its pipe closes.
        expect(started.filter((p) => alive(p.pid) && !/esbuild/.test(p.cmd)).map((p) => p.cmd)).toEqual([]);
        expect(await rootTables()).toBe(before);
      }, 40_000);
    }

    it('a complete run (lab nat) leaves nothing either', async () => {
      const child = spawn(process.execPath, [BIN, 'lab', 'nat', '--packets', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d) => { out += d; });
      const seen = new Set<number>();
      const poll = setInterval(() => { for (const p of descendants(child.pid!)) seen.add(p.pid); }, 20);
      const how = await exited(child);
      clearInterval(poll);
      expect(how.code, out).toBe(0);
      expect(out).toMatch(/kernel == oracle: yes/);
      expect(await owned(child.pid!)).toEqual([]);
      expect([...seen].filter((pid) => alive(pid) && !/esbuild/.test(cmdline(pid)))).toEqual([]);
    }, 40_000);
  });
}
