// Process groups the runner started. Each implementation runs detached, as the leader of its own
// process group, so one kill reaches it and everything it started. The groups are killed when the
// runner exits or is interrupted, since a detached group does not get the terminal's Ctrl-C.

const live = new Set<number>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHook = false;

/** Sends SIGKILL to the whole group; true when a process was still there to receive it. */
export function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

export function trackGroup(pgid: number): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killAll);
  }
  if (live.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  live.add(pgid);
}

/** The group is dead or about to be: stop watching it (and the signals, when it was the last). */
export function untrackGroup(pgid: number): void {
  if (!live.delete(pgid) || live.size > 0) return;
  for (const s of SIGNALS) process.off(s, onSignal);
}

function killAll(): void {
  for (const g of live) killGroup(g);
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  for (const s of SIGNALS) process.off(s, onSignal);
  // Listening to a signal replaces Node's default action (exit); when nobody else listens, restore
  // that default by raising the signal again.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
