// The Node side of agent.py: one python3 process per host namespace of a scenario, owning its
// TCP and raw GRE sockets. Requests are answered in order; events (bytes received, GRE
// datagrams delivered) are kept until a waiter takes them.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NetLab } from './netlab.ts';
import { LabError } from './types.ts';

const SCRIPT = fileURLToPath(new URL('./agent.py', import.meta.url));

export type AgentEvent =
  | { ev: 'accept'; conn: string; peer: string; local: string }
  | { ev: 'data'; conn: string; hex: string }
  | { ev: 'eof'; conn: string }
  | { ev: 'gre'; hex: string }
  | { ev: 'echo'; hex: string }
  | { ev: 'echo-error'; errno: number; msg: string; hex: string };

type Reply = { ev: 'ok'; req: number; [k: string]: unknown } | { ev: 'error'; req: number; msg: string; errno?: number };

export class Agent {
  private readonly child: ChildProcess;
  private buf = '';
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  /** Events not yet taken by a waiter, oldest first. */
  readonly events: AgentEvent[] = [];
  private waiters: { pred: (e: AgentEvent) => boolean; resolve: (e: AgentEvent) => void }[] = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(lab: NetLab, readonly role: string) {
    this.child = lab.spawn(role, [lab.tools.python3, '-u', SCRIPT]);
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.child.stdout!.on('data', (d: string) => this.onData(d));
    this.child.stdin!.on('error', () => { /* reported through 'exit' */ });
    this.child.on('exit', (code, signal) => {
      this.exited = new LabError(`agent in ${role} exited (${signal ?? code}): ${this.stderr.trim()}`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Sends one request; resolves with the agent's answer, rejects with its error. */
  request(op: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.child.stdin!.write(JSON.stringify({ ...op, req }) + '\n');
    });
  }

  /** The first kept or coming event that satisfies pred (removed from the kept ones), or undefined after timeoutMs. */
  waitFor<E extends AgentEvent>(pred: (e: AgentEvent) => e is E, timeoutMs: number): Promise<E | undefined>;
  waitFor(pred: (e: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent | undefined>;
  waitFor(pred: (e: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent | undefined> {
    const i = this.events.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]);
    return new Promise((resolve) => {
      const w = { pred, resolve: (e: AgentEvent | undefined) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(w as { pred: (e: AgentEvent) => boolean; resolve: (e: AgentEvent) => void });
    });
  }

  /** Drops kept events (between scenario steps). */
  clearEvents(): void {
    this.events.length = 0;
  }

  private onData(d: string): void {
    this.buf += d;
    let eol;
    while ((eol = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, eol);
      this.buf = this.buf.slice(eol + 1);
      if (!line.trim()) continue;
      const o = JSON.parse(line) as Reply | AgentEvent;
      if (o.ev === 'ok' || o.ev === 'error') {
        const p = this.pending.get(o.req);
        this.pending.delete(o.req);
        if (!p) continue;
        if (o.ev === 'ok') p.resolve(o);
        else p.reject(new LabError(`agent in ${this.role}: ${o.msg}`));
        continue;
      }
      const w = this.waiters.find((x) => x.pred(o));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(o);
      } else {
        this.events.push(o);
      }
    }
  }
}
