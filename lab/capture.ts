// tcpdump inside a lab namespace, writing a pcap of what a router received (`-i any -Q in`:
// every interface, inbound only, Linux cooked link type). Optional: without tcpdump the
// scenarios run and say that nothing was captured.
import type { ChildProcess } from 'node:child_process';
import { which } from './exec.ts';
import type { NetLab } from './netlab.ts';
import { LabError } from './types.ts';

export interface RunningCapture {
  /** Ends tcpdump (SIGINT, so it flushes) and waits for it. */
  stop(): Promise<void>;
}

export function tcpdumpPath(): string | undefined {
  return which('tcpdump');
}

export async function startCapture(lab: NetLab, role: string, file: string, filter: string): Promise<RunningCapture> {
  const tcpdump = tcpdumpPath();
  if (!tcpdump) throw new LabError('tcpdump is not installed (apt-get install -y tcpdump)');
  // -Z root: keep root when writing the file (tcpdump drops to its own user by default).
  // --immediate-mode: without it packets wait in the ring's current block, and those of the
  // last block are lost when tcpdump is stopped.
  const child: ChildProcess = lab.spawn(role, [tcpdump, '-i', 'any', '-Q', 'in', '--immediate-mode', '-U', '-s', '0', '-n', '-Z', 'root', '-w', file, filter]);
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new LabError(`tcpdump did not start: ${err.trim()}`)), 5000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      if (/listening on/.test(err)) { clearTimeout(t); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(t); reject(new LabError(`tcpdump exited (${code}): ${err.trim()}`)); });
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    }),
  };
}
