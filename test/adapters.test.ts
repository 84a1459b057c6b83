// CONTRACT.md sections 4-6: both adapters answer in order, and every misbehaviour is reported with
// its kind, the request being answered and the answers before it, leaving no worker or process.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../spec/contract.ts';
import { openModuleAdapter } from '../runner/adapters/module.ts';
import { openAdapter } from '../runner/adapters/open.ts';
import { openProcessAdapter } from '../runner/adapters/process.ts';
import type { Adapter, CaseRequest, FailureKind } from '../runner/adapters/types.ts';
import { ImplementationError } from '../runner/adapters/types.ts';

const FIX = fileURLToPath(new URL('./fixtures/misbehaving/', import.meta.url));
// Short timeouts where a hang is the point, long ones elsewhere so a loaded machine cannot turn a
// slow start into a timeout. A process's start (a node fixture booting) counts against its first
// case, hence its longer hang timeout.
const OPTS = { timeoutMs: 5000, cwd: FIX };
const HANG = { timeoutMs: 300, cwd: FIX };
const PROCESS_HANG = { timeoutMs: 1000, cwd: FIX };

let nextId = 1000;
/** n cases; the one at `trigger` is the one-byte packet the fixtures misbehave on. */
function cases(n: number, trigger?: number): CaseRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    id: nextId++,
    packet: i === trigger ? Uint8Array.of(0) : Uint8Array.of(i >> 8, i & 0xff, 0x45, 0),
    keymap: [],
  }));
}

function expected(n: number): Answer[] {
  return Array.from({ length: n }, (_, i) => ({ src: '192.0.2.1', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: i }));
}

async function failureOf(p: Promise<unknown>): Promise<ImplementationError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ImplementationError);
  return e as ImplementationError;
}

function expectFailure(e: ImplementationError, kind: FailureKind, request: CaseRequest | undefined, partial: Answer[]): void {
  expect(e.failure.kind).toBe(kind);
  expect(e.failure.request).toBe(request);
  if (request) expect(e.failure.message).toContain(String(request.id));
  expect(e.partial).toEqual(partial);
}

/** A later batch gets the same kind of failure, naming its own first request. */
async function expectStaysFailed(a: Adapter, kind: FailureKind): Promise<void> {
  const next = cases(2);
  expectFailure(await failureOf(a.answer(next)), kind, next[0], []);
}

/** Pids of living (not zombie) processes whose process group is `pgid`. Linux /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ")".
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') out.push(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([p, new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), ms))]);
}

describe('module adapter', () => {
  it.each([
    ['ok-named.mjs', 'named export toTuple'],
    ['ok-async-default.mjs', 'default export'],
    ['ok-default-object.mjs', 'default export toTuple'],
    ['ok-commonjs.cjs', 'named export toTuple'],
    ['ok.ts', 'named export toTuple'],
    ['ok-package', 'named export toTuple'],
  ])('answers in order: %s (%s)', async (file, via) => {
    const a = await openModuleAdapter(file, OPTS);
    try {
      expect(a.description).toContain(via);
      expect(await a.answer([])).toEqual([]);
      for (const n of [1, 700, 3000]) expect(await a.answer(cases(n))).toEqual(expected(n));
    } finally {
      await a.close();
    }
    expect(await within(a.stopped, 2000)).toBeUndefined();
  });

  it('hands each call a fresh packet of exactly its length and a frozen keymap', async () => {
    const a = await openModuleAdapter('ok-probe.mjs', OPTS);
    const keymap = [{ src: '192.0.2.1', dst: '192.0.2.2', dstkey: 1, srckey: 2 }];
    const reqs = [4, 20, 60, 20].map((len, i) => ({ id: nextId++, packet: new Uint8Array(len).fill(i), keymap: i % 2 ? keymap : [] }));
    const answers = await a.answer(reqs);
    await a.close();
    expect(answers.map((x) => x?.proto)).toEqual([4, 20, 60, 20]);
    expect(answers.map((x) => x?.srckey)).toEqual([0, 1, 0, 1]);
    expect(answers.map((x) => x?.dstkey)).toEqual([1, 1, 1, 1]);
    expect(reqs[1]!.packet[0]).toBe(1); // the caller's packet is untouched
  });

  it.each([
    ['throws.mjs', 'crash', 'cannot read the trigger'],
    ['throws.mjs', 'crash', 'console output (tail):\nfixture: about to throw'],
    ['rejects.mjs', 'crash', 'rejected the trigger'],
    ['throws-outside.mjs', 'crash', 'thrown from a timer'],
    ['hangs-sync.mjs', 'timeout', 'fixture: looping forever'],
    ['hangs-promise.mjs', 'timeout', undefined],
    ['malformed.mjs', 'malformed', 'tuple.dst'],
    ['exits.mjs', 'early-exit', undefined],
  ] as const)('%s is reported as %s on the case it failed, keeping the answers before it', async (file, kind, evidence) => {
    const a = await openModuleAdapter(file, kind === 'timeout' ? HANG : OPTS);
    const batch = cases(6, 3);
    const started = Date.now();
    const e = await failureOf(a.answer(batch));
    expectFailure(e, kind, batch[3], expected(3));
    if (evidence) expect(`${e.failure.message}\n${e.failure.detail}`).toContain(evidence);
    if (kind === 'timeout') expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await within(a.stopped, 2000)).toBeUndefined(); // the worker is gone
    await expectStaysFailed(a, kind);
    await a.close();
  });

  it.each([
    ['no-totuple.mjs', 'toTupel'],
    ['load-throws.mjs', 'broken at load time'],
  ])('%s is a load failure', async (file, evidence) => {
    const e = await failureOf(openModuleAdapter(file, OPTS));
    expectFailure(e, 'load', undefined, []);
    expect(`${e.failure.message}\n${e.failure.detail}`).toContain(evidence);
  });

  it('a path that is no module is a usage error, not the implementation\'s', async () => {
    const e = await openModuleAdapter('README.md', OPTS).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ImplementationError);
  });
});

describe('process adapter', () => {
  it('pipelines many requests and keeps their order', async () => {
    const a = await openProcessAdapter([`${FIX}proc-ok.mjs`], { ...OPTS, window: 256 });
    try {
      for (const n of [1, 5000, 20000]) expect(await a.answer(cases(n))).toEqual(expected(n));
      expect(a.announcedContract).toBe('1.0');
    } finally {
      await a.close();
    }
    expect(await a.exited).toEqual({ code: 0, signal: null }); // closed stdin: it exited by itself
    expect(groupMembers(a.pid)).toEqual([]);
  });

  it.each([
    ['proc-crash.mjs', 'crash', 3, 'giving up on request'],
    ['proc-exits-after-3.sh', 'early-exit', 3, 'exited with code 0'],
    ['proc-hangs.mjs', 'timeout', 3, 'grandchild pid'],
    ['proc-out-of-order.mjs', 'out-of-order', 3, 'oldest unanswered'],
    ['proc-malformed.mjs', 'malformed', 3, '"nope"'],
    ['proc-garbage.mjs', 'malformed', 3, 'hello from a debug print'],
    ['proc-contract-2.sh', 'contract-version', 0, '2.0'],
  ] as const)('%s is reported as %s on the right request, and its process group is gone', async (file, kind, at, evidence) => {
    const a = await openProcessAdapter([`${FIX}${file}`], kind === 'timeout' ? PROCESS_HANG : OPTS);
    const batch = cases(6, 3);
    const e = await failureOf(a.answer(batch));
    const partial = file.includes('exits-after-3') ? [null, null, null] : expected(at);
    expectFailure(e, kind, batch[at], partial);
    expect(`${e.failure.message}\n${e.failure.detail}`).toContain(evidence);
    const grandchild = /grandchild pid (\d+)/.exec(e.failure.detail ?? '')?.[1];
    expect(await eventually(() => groupMembers(a.pid).length === 0 && !alive(a.pid))).toBe(true);
    if (grandchild) expect(alive(Number(grandchild))).toBe(false);
    await expectStaysFailed(a, kind);
    await a.close();
  });

  it('a command that cannot start is a load failure', async () => {
    const e = await failureOf(openProcessAdapter([`${FIX}no-such-program`], OPTS));
    expectFailure(e, 'load', undefined, []);
  });

  it.each(['exit', 'wait'])('the process group dies with the runner (%s)', async (mode) => {
    const runner = spawn(process.execPath, ['--import', 'tsx', `${FIX}runner-exits.mts`, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((res) => runner.stdout.once('data', (c: Buffer) => res(c.toString())));
    const pid = Number(line.split(' ')[0]);
    expect(line).toContain('"dstkey":7');
    const ended = new Promise<[number | null, string | null]>((res) => runner.once('exit', (c, s) => res([c, s])));
    if (mode === 'wait') {
      expect(groupMembers(pid).length).toBeGreaterThanOrEqual(2); // the fixture and its grandchild
      runner.kill('SIGTERM');
    }
    expect(await ended).toEqual(mode === 'wait' ? [null, 'SIGTERM'] : [0, null]);
    expect(await eventually(() => groupMembers(pid).length === 0)).toBe(true);
  }, 15_000);
});

describe('openAdapter picks the kind', () => {
  it.each([
    [{ path: 'ok-named.mjs' }, 'module ./ok-named.mjs'],
    [{ path: 'ok.ts' }, 'module ./ok.ts'],
    [{ path: 'ok-package' }, 'module ./ok-package/lib/impl.mjs'],
    [{ path: 'proc-exits-after-3.sh' }, 'process ./proc-exits-after-3.sh (NDJSON over stdio, pid '],
    [{ cmd: 'node proc-ok.mjs' }, 'command `node proc-ok.mjs`'],
  ])('%j', async (target, description) => {
    const a = await openAdapter(target, OPTS);
    try {
      expect(a.description).toContain(description);
      expect(await a.answer([])).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it('answers through sh -c for --cmd', async () => {
    const a = await openAdapter({ cmd: 'node proc-ok.mjs' }, OPTS);
    expect(await a.answer(cases(100))).toEqual(expected(100));
    await a.close();
  });

  it.each([
    [{ path: 'README.md' }, 'chmod +x'],
    [{ path: 'no-such-file' }, 'no such file'],
    [{ path: '.' }, 'package.json'],
    [{ cmd: '  ' }, '--cmd'],
  ])('%j is a usage error', async (target, message) => {
    const e = await openAdapter(target, OPTS).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ImplementationError);
    expect((e as Error).message).toContain(message);
  });
});
