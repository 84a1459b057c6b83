// Network namespace names and their lifecycle. Every name the lab creates is
// grec-<role>-<owner pid>-<n>, so a later run can tell a stale namespace (owner dead) from one
// in use by a live process, and never touches names it did not make.
import { runOk, run, runSyncQuiet } from './exec.ts';

export const PREFIX = 'grec-';
const OWNED = /^grec-([a-z]+)-(\d+)-(\d+)$/;

let counter = 0;

export function newName(role: string): string {
  return `${PREFIX}${role}-${process.pid}-${++counter}`;
}

export async function listNamespaces(ip: string): Promise<string[]> {
  const out = await runOk(ip, ['netns', 'list']);
  return out.split('\n').map((l) => l.trim().split(' ')[0]!).filter((n) => n.length > 0);
}

export function ownerPid(name: string): number | undefined {
  const m = OWNED.exec(name);
  return m ? Number(m[2]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes lab namespaces whose owner process is gone, after ending what still runs in them. */
export async function sweepStale(ip: string): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await listNamespaces(ip)) {
    const owner = ownerPid(name);
    if (owner === undefined || owner === process.pid || alive(owner)) continue;
    // Left by a lab whose process died without cleaning up: only its shell or injector can be here.
    const pids = await run(ip, ['netns', 'pids', name]);
    for (const p of pids.stdout.split('\n').map(Number).filter((n) => n > 0)) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
    await run(ip, ['netns', 'del', name]);
    swept.push(name);
  }
  return swept;
}

/** Lab namespaces owned by this process: none may remain once its labs are closed. */
export async function ownNamespaces(ip: string): Promise<string[]> {
  return (await listNamespaces(ip)).filter((n) => ownerPid(n) === process.pid);
}

export function deleteNamespaceSync(ip: string, name: string): void {
  runSyncQuiet(ip, ['netns', 'del', name]);
}
