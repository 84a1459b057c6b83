// Leaving nothing behind: every open lab registers a synchronous cleanup that runs on close, on
// process exit, and on SIGINT/SIGTERM/SIGHUP. Synchronous because an exit handler cannot wait.
// A process killed with SIGKILL runs none of this; its namespaces are swept by the next lab
// (sweepStale in netns.ts), and its children exit on their own when their stdin closes.

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
