// Leaving nothing behind: every open lab registers a synchronous cleanup that runs on close, on
// process exit, and on SIGINT/SIGTERM/SIGHUP. Synchronous because an exit handler cannot wait.
// A process killed with SIGKILL runs none of this; its namespaces are swept by the next lab
// (sweepStale in netns.ts), and its children exit on their own when their stdin closes.

import { readFileSync, readdirSync } from 'node:fs';

type Cleanup = () => void;

const pending = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const c of [...pending]) {
    pending.delete(c);
    try { c(); } catch { /* best effort: the others must still run */ }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.removeListener(signal, onSignal);
  // When nobody else handles the signal, die of it as the default action would.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers a cleanup; returns the function that runs it once and unregisters it. */
export function registerCleanup(c: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  }
  pending.add(c);
  return () => {
    if (!pending.delete(c)) return;
    c();
  };
}

/** True while a process exists and is not a zombie (a zombie holds no resource but its pid). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Every process whose parent chain leads to one of the roots (from /proc), roots excluded. */
function descendantsOf(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return []; }
  for (const d of entries) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const l = children.get(ppid);
      if (l) l.push(Number(d)); else children.set(ppid, [Number(d)]);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  roots.forEach(walk);
  return out;
}

/**
 * SIGKILLs the processes and waits (synchronously: exit and signal handlers cannot await) until
 * each is gone, at most timeoutMs. A process that holds a packet ring (tcpdump) takes a few
 * milliseconds to die; returning earlier would let the CLI exit while it still runs.
 */
export function killAndWaitSync(roots: readonly number[], timeoutMs = 3000): void {
  // With their descendants: a command a shell is running when the shell dies would finish alone.
  const pids = [...roots, ...descendantsOf(roots)];
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(running) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 5);
}
