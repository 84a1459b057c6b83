// The Node side of injector.py: one python3 process in the sender namespace for the whole lab.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeBatch } from './frame.ts';

const SCRIPT = fileURLToPath(new URL('./injector.py', import.meta.url));

export interface InjectResult {
  sent: number;
  /** Frames the sending socket refused, by index in the batch, with the errno. */
  refused: { index: number; errno: number }[];
}

export class Injector {
  readonly pid: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private lines = '';
  private waiting: { resolve: (r: InjectResult) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;
  private stderr = '';

  constructor(ipPath: string, python: string, ns: string, ifname: string, cpu: number) {
    this.child = spawn(ipPath, ['netns', 'exec', ns, python, '-u', SCRIPT, ifname, String(cpu)], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error('could not start the injector');
    this.pid = this.child.pid;
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.child.stdout.on('data', (d: string) => this.onData(d));
    this.child.stdin.on('error', () => { /* reported through 'exit' */ });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`injector exited (${signal ?? code}): ${this.stderr.trim()}`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
  }

  /** Sends the datagrams, framed, in order; resolves when the last one was handed to the veth. */
  send(packets: readonly Uint8Array[]): Promise<InjectResult> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new Error('Injector.send: one batch at a time'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.stdin.write(encodeBatch(packets));
    });
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
  }

  private onData(d: string): void {
    this.lines += d;
    const eol = this.lines.indexOf('\n');
    if (eol < 0) return;
    const line = this.lines.slice(0, eol);
    this.lines = this.lines.slice(eol + 1);
    const w = this.waiting;
    this.waiting = undefined;
    if (!w) return;
    const [tag, sent, ...errs] = line.trim().split(' ');
    if (tag !== 'ok') { w.reject(new Error(`injector: unexpected answer ${JSON.stringify(line)}`)); return; }
    w.resolve({
      sent: Number(sent),
      refused: errs.map((e) => {
        const [i, no] = e.split(':');
        return { index: Number(i), errno: Number(no) };
      }),
    });
  }
}
