// The module's console output, kept as a bounded tail in shared memory: the worker's console
// writes land here instead of the runner's terminal (where they would mix with the report), and
// the main thread can read the tail even after stopping a worker stuck in a loop. It plays the
// part the stderr tail plays for an NDJSON process (CONTRACT.md 5).

const HEADER = 8; // Int32 [0]: next write position; [1]: 1 once the ring has wrapped.
export const CONSOLE_TAIL_BYTES = 2048;

export function newConsoleTail(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + CONSOLE_TAIL_BYTES);
}

/** In the worker: send process.stdout and process.stderr writes to the tail. */
export function captureConsole(sab: SharedArrayBuffer): void {
  const meta = new Int32Array(sab, 0, 2);
  const ring = new Uint8Array(sab, HEADER);
  const append = (b: Uint8Array): void => {
    let pos = Atomics.load(meta, 0);
    let wrapped = Atomics.load(meta, 1);
    const from = Math.max(0, b.length - ring.length);
    for (let i = from; i < b.length; ) {
      const n = Math.min(b.length - i, ring.length - pos);
      ring.set(b.subarray(i, i + n), pos);
      i += n;
      pos += n;
      if (pos === ring.length) {
        pos = 0;
        wrapped = 1;
      }
    }
    Atomics.store(meta, 1, wrapped);
    Atomics.store(meta, 0, pos);
  };
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
    append(typeof chunk === 'string' ? Buffer.from(chunk, enc) : (chunk as Uint8Array));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
}

/** In the main thread: the tail as text, "..." first when older output was dropped. */
export function readConsoleTail(sab: SharedArrayBuffer): string {
  const meta = new Int32Array(sab, 0, 2);
  const ring = Buffer.from(sab, HEADER);
  const pos = Atomics.load(meta, 0);
  const wrapped = Atomics.load(meta, 1) === 1;
  const bytes = wrapped ? Buffer.concat([ring.subarray(pos), ring.subarray(0, pos)]) : Buffer.from(ring.subarray(0, pos));
  const text = bytes.toString('utf8').replace(/\s+$/, '');
  return wrapped ? `...${text}` : text;
}
