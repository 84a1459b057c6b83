// Adapter 2 (CONTRACT.md sections 5 and 6): any executable speaking NDJSON over stdio. Requests
// are pipelined (up to `window` outstanding, respecting stdin backpressure); answers must come
// back in request order. The implementation runs detached, as the leader of its own process
// group, and every way out (close, a failure, the runner exiting or being interrupted) kills the
// whole group, grandchildren included.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Answer } from '../../spec/contract.ts';
import { CONTRACT_VERSION } from '../../spec/contract.ts';
import { displayPath } from './module-entry.ts';
import { parseLine, RequestEncoder } from './ndjson.ts';
import { OutputTail } from './output-tail.ts';
import { killGroup, trackGroup, untrackGroup } from './process-groups.ts';
import { withRequest } from './failure.ts';
import type { FailureBase } from './failure.ts';
import type { Adapter, AdapterOptions, CaseRequest, FailureKind } from './types.ts';
import { ImplementationError } from './types.ts';

export interface ProcessAdapterOptions extends AdapterOptions {
  /** Most requests written and not yet answered (default 1024). */
  readonly window?: number;
  /** How long close() lets the process exit by itself after closing its stdin (default 500 ms). */
  readonly closeGraceMs?: number;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ProcessAdapter extends Adapter {
  /** Pid of the implementation, also its process group id. */
  readonly pid: number;
  /** Settles when the implementation's process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** The `{"contract":..}` version the implementation announced, if it did. */
  readonly announcedContract: string | undefined;
}

/** Longest answer line kept while waiting for its newline. */
const MAX_LINE = 1 << 20;

/**
 * Spawns the implementation (`cmd` as argv, or `{ shell }` run by `sh -c`) and resolves once it
 * runs. Rejects with ImplementationError kind 'load' when it cannot be started.
 */
export async function openProcessAdapter(cmd: readonly string[] | { shell: string }, opts: ProcessAdapterOptions): Promise<ProcessAdapter> {
  const [file, args, shown] = Array.isArray(cmd)
    ? [cmd[0]!, cmd.slice(1), `process ${[displayPath(opts.cwd ?? process.cwd(), cmd[0] ?? ''), ...cmd.slice(1)].join(' ')}`]
    : ['sh', ['-c', (cmd as { shell: string }).shell], `command \`${(cmd as { shell: string }).shell}\``];
  if (!file) throw new Error('no command to run');
  const child = spawn(file, args, { cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((res, rej) => {
    child.once('spawn', () => res());
    child.once('error', (e) => rej(new ImplementationError({ kind: 'load', message: `${shown} could not be started: ${e.message}` })));
  });
  const pid = child.pid!;
  trackGroup(pid);
  return new NdjsonAdapter(child, `${shown} (NDJSON over stdio, pid ${pid})`, opts);
}

interface Current {
  readonly batch: readonly CaseRequest[];
  readonly answers: Answer[];
  /** Requests written so far; writtenAt[i] is when request i was handed to stdin. */
  written: number;
  readonly writtenAt: Float64Array;
  readonly resolve: (a: Answer[]) => void;
  readonly reject: (e: unknown) => void;
}

class NdjsonAdapter implements ProcessAdapter {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  announcedContract: string | undefined;
  private readonly window: number;
  private readonly timeoutMs: number;
  private readonly closeGraceMs: number;
  private readonly encoder = new RequestEncoder();
  private readonly stderr = new OutputTail();
  private cur: Current | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private rest = '';
  private sawAnswer = false;
  private lastAnswerAt = 0;
  private waitingDrain = false;
  private timer: NodeJS.Timeout | undefined;
  private failure: FailureBase | undefined;
  private exit: ProcessExit | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly child: ChildProcessWithoutNullStreams, readonly description: string, opts: ProcessAdapterOptions) {
    this.pid = child.pid!;
    this.window = Math.max(1, opts.window ?? 1024);
    this.timeoutMs = opts.timeoutMs;
    this.closeGraceMs = opts.closeGraceMs ?? 500;
    const outputDone = Promise.all([streamDone(child.stdout), streamDone(child.stderr)]);
    this.exited = new Promise<ProcessExit>((res) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // Whatever the implementation left running in its group goes with it.
        killGroup(this.pid);
        untrackGroup(this.pid);
        res(this.exit);
        // Read what it wrote before exiting, then decide whether it left work unanswered.
        void within(outputDone, 500).then(() => this.onGone());
      });
    });
    child.stdin.on('error', () => undefined); // EPIPE when it exits: reported by the exit handler
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.onData(s));
    child.stderr.on('data', (c: Buffer) => this.stderr.push(c));
    this.setRef(false);
  }

  answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
    const run = this.queue.then(() => this.run(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.setRef(true); // the runner must not exit half way through close()
    this.stopTimer();
    const c = this.cur;
    this.cur = undefined;
    c?.reject(new Error('the adapter was closed while a batch was in progress'));
    if (!this.exit) {
      // End of input means no more requests (CONTRACT.md 5): give it a moment to exit by itself.
      this.child.stdin.end();
      await within(this.exited, this.closeGraceMs);
    }
    // Once the leader has exited, its exit handler has killed the group: the id may be reused.
    if (!this.exit) killGroup(this.pid);
    await within(this.exited, 2000);
    this.setRef(false);
  }

  private run(batch: readonly CaseRequest[]): Promise<Answer[]> {
    if (this.closing) return Promise.reject(new Error('answer() called after close()'));
    if (this.failure) return Promise.reject(withRequest(this.failure, batch[0]));
    if (batch.length === 0) return Promise.resolve([]);
    return new Promise<Answer[]>((resolve, reject) => {
      this.cur = { batch, answers: [], written: 0, writtenAt: new Float64Array(batch.length), resolve, reject };
      this.setRef(true);
      this.pump();
      this.armTimer();
    });
  }

  /** Writes requests while fewer than `window` are outstanding, in chunks, stopping on backpressure. */
  private pump(): void {
    const c = this.cur;
    if (!c || this.failure || this.waitingDrain || this.exit) return;
    const outstanding = c.written - c.answers.length;
    const remaining = c.batch.length - c.written;
    const n = Math.min(this.window - outstanding, remaining);
    // While the implementation has plenty to chew on, wait to write a bigger chunk.
    if (n <= 0 || (outstanding > 0 && n < Math.min(this.window >> 2, remaining))) return;
    let text = '';
    const now = performance.now();
    for (let i = c.written; i < c.written + n; i++) {
      text += this.encoder.line(c.batch[i]!);
      c.writtenAt[i] = now;
    }
    c.written += n;
    if (!this.child.stdin.write(text)) {
      this.waitingDrain = true;
      this.child.stdin.once('drain', () => {
        this.waitingDrain = false;
        this.pump();
      });
    }
  }

  private onData(s: string): void {
    if (this.failure || this.closing) return;
    const now = performance.now();
    let text = this.rest.length > 0 ? this.rest + s : s;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (!this.onLine(line, now)) return;
    }
    text = start > 0 ? text.slice(start) : text;
    this.rest = text;
    if (text.length > MAX_LINE) {
      this.fail('malformed', `an output line is longer than ${MAX_LINE} bytes`, `line starts: ${clip(text)}`);
      return;
    }
    this.pump();
  }

  /** Handles one output line; false once a failure stopped the run. */
  private onLine(raw: string, now: number): boolean {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return true;
    const p = parseLine(line);
    if (p.t === 'contract') {
      if (this.sawAnswer) return this.fail('malformed', 'the contract announcement came after the first answer', `line: ${clip(line)}`);
      this.announcedContract = p.version;
      if (!p.supported) return this.fail('contract-version', `the implementation speaks contract ${p.version}; this runner speaks ${CONTRACT_VERSION}`, `line: ${clip(line)}`);
      return true;
    }
    const c = this.cur;
    const expected = c && c.answers.length < c.written ? c.batch[c.answers.length]!.id : undefined;
    if (p.id !== undefined && p.id !== expected) {
      const why = expected === undefined ? 'no request is outstanding' : `the oldest unanswered request is ${expected}`;
      return this.fail('out-of-order', `answered id ${p.id} but ${why}`, `line: ${clip(line)}`);
    }
    if (p.t === 'malformed') return this.fail('malformed', `malformed answer: ${p.reason}`, `line: ${clip(line)}`);
    if (!c) return this.fail('malformed', 'output while no request is outstanding', `line: ${clip(line)}`);
    this.sawAnswer = true;
    this.lastAnswerAt = now;
    c.answers.push(p.tuple);
    if (c.answers.length === c.batch.length) {
      this.cur = undefined;
      this.stopTimer();
      this.setRef(false);
      c.resolve(c.answers);
    }
    return true;
  }

  /** The oldest outstanding request's deadline: timed from its write or the previous answer. */
  private deadline(c: Current): number {
    const i = c.answers.length;
    const from = i < c.written ? Math.max(c.writtenAt[i]!, this.lastAnswerAt) : performance.now();
    return from + this.timeoutMs;
  }

  private armTimer(): void {
    const c = this.cur;
    if (!c || this.timer) return;
    const wait = Math.max(0, this.deadline(c) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const c2 = this.cur;
      if (!c2 || this.failure) return;
      if (performance.now() >= this.deadline(c2)) this.fail('timeout', `no answer within ${this.timeoutMs} ms`);
      else this.armTimer();
    }, Math.ceil(wait) + 1);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The process exited and its output is read: anything still unanswered is its failure. */
  private onGone(): void {
    if (this.failure || this.closing) return;
    const e = this.exit!;
    const how = e.signal ? `was killed by signal ${e.signal}` : `exited with code ${e.code}`;
    const kind: FailureKind = e.code === 0 && !e.signal ? 'early-exit' : 'crash';
    if (this.rest.trim() !== '') {
      const last = this.rest;
      this.rest = '';
      if (!this.onLine(last, performance.now())) return;
    }
    this.fail(kind, `the process ${how} before answering everything`);
  }

  /** Records the failure, kills the process group, rejects the batch in progress. Returns false. */
  private fail(kind: FailureKind, message: string, detail?: string): false {
    if (this.failure) return false;
    const c = this.cur;
    const request = c ? c.batch[c.answers.length] : undefined;
    const stderr = this.stderr.text();
    const full = [detail, stderr ? `stderr (tail):\n${stderr}` : undefined].filter(Boolean).join('\n');
    this.failure = { kind, message, ...(full ? { detail: full } : {}) };
    this.cur = undefined;
    this.stopTimer();
    if (!this.exit) killGroup(this.pid);
    this.setRef(false);
    c?.reject(withRequest(this.failure, request, c.answers.slice()));
    return false;
  }

  /** Keeps the runner alive only while a batch is in progress, so a forgotten close() cannot hang it. */
  private setRef(on: boolean): void {
    for (const h of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }
}

function streamDone(s: NodeJS.ReadableStream): Promise<void> {
  return new Promise((res) => {
    s.once('end', res);
    s.once('close', res);
    s.once('error', res);
  });
}

/** Waits for `p`, at most `ms` milliseconds. */
function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((res) => { timer = setTimeout(res, ms); })]).then(() => clearTimeout(timer));
}

function clip(line: string): string {
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
