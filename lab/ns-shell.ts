// A shell kept running inside a namespace. `ip netns exec` remounts /sys for every command it
// starts; one long-lived shell pays that once, so each batch costs only the nft and conntrack
// runs themselves. Its pid also gives Node a window into the namespace: /proc/<pid>/net/*
// shows that namespace's conntrack table and device counters without starting anything.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class NsShell {
  readonly pid: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private seq = 0;
  private waiting: { marker: string; resolve: (r: { code: number; out: string }) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;

  constructor(ipPath: string, ns: string) {
    // `ip netns exec` execs the shell in place, so the child's pid is the shell's.
    this.child = spawn(ipPath, ['netns', 'exec', ns, 'sh'], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`could not start a shell in namespace ${ns}`);
    this.pid = this.child.pid;
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => this.onData(d));
    // Commands send their stderr to stdout (exec 2>&1 below); anything here is the shell's own.
    this.child.stderr.on('data', (d: string) => { this.buffer += d; });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`shell in namespace ${ns} exited (${signal ?? code})`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
    this.child.stdin.on('error', () => { /* reported through 'exit' */ });
    this.child.stdin.write('exec 2>&1\n');
  }

  /** Runs one command line; resolves with its exit code and combined output. */
  exec(command: string): Promise<{ code: number; out: string }> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new Error('NsShell.exec: one command at a time'));
    const marker = `__grec_done_${++this.seq}__`;
    return new Promise((resolve, reject) => {
      this.waiting = { marker, resolve, reject };
      this.child.stdin.write(`${command}\necho "${marker} $?"\n`);
    });
  }

  /** Runs a command and throws with its output when it fails. */
  async ok(command: string): Promise<string> {
    const r = await this.exec(command);
    if (r.code !== 0) throw new Error(`[${command.slice(0, 120)}] exited ${r.code}: ${r.out.trim().slice(0, 2000)}`);
    return r.out;
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
  }

  private onData(d: string): void {
    this.buffer += d;
    const w = this.waiting;
    if (!w) return;
    const at = this.buffer.indexOf(w.marker + ' ');
    if (at < 0) return;
    const eol = this.buffer.indexOf('\n', at);
    if (eol < 0) return;
    const code = Number(this.buffer.slice(at + w.marker.length + 1, eol));
    const out = this.buffer.slice(0, at);
    this.buffer = this.buffer.slice(eol + 1);
    this.waiting = undefined;
    w.resolve({ code, out });
  }
}
