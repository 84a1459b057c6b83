// A forward-only window over a byte stream, in bounded memory: it keeps the unread part of the
// current chunk plus, while a header or record straddles chunks, just the bytes that record
// needs. Callers ask `fill(n)` before reading n bytes at `pos`; the DataView throws on a read
// past the window, so a missed check fails loudly instead of reading `undefined` as 0.
//
// A file is read into one window buffer, reused: the unread bytes move to its start and the
// next read lands after them. Reading it as a stream of new chunks (createReadStream) left each
// megabyte to the collector, which frees such buffers only when their total grows large: a
// 1.1 GB capture peaked about 106 MB above the reader's start. The parsers copy every record's
// bytes out, so nothing refers to the window once the next fill moves it.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { CaptureError } from '../error.ts';

const EMPTY = new Uint8Array(0);

export class ByteSource {
  buf: Uint8Array = EMPTY;
  view: DataView = new DataView(EMPTY.buffer);
  /** Read position in `buf`. */
  pos = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  private readonly it: AsyncIterator<unknown> | undefined;
  /** A file: its path, the handle once open, and the window buffer reads go into. */
  private readonly path: string | undefined;
  private handle: FileHandle | undefined;
  private window: Uint8Array;
  private closed = false;

  /** `input`: a file's path (read `chunkSize` bytes at a time), or chunks of bytes. */
  constructor(input: string | AsyncIterable<unknown>, private readonly file: string, chunkSize = 1 << 20) {
    if (typeof input === 'string') {
      this.path = input;
      this.window = new Uint8Array(Math.max(1, chunkSize));
    } else {
      this.it = input[Symbol.asyncIterator]();
      this.window = EMPTY;
    }
  }

  /** File offset of `pos`. */
  get offset(): number {
    return this.base + this.pos;
  }

  available(): number {
    return this.buf.length - this.pos;
  }

  /** Make at least n bytes available at `pos`; false when the input ends first. */
  async fill(n: number): Promise<boolean> {
    if (this.available() >= n) return true;
    if (this.path !== undefined) return this.fillFromFile(n);
    const it = this.it!;
    const parts: Uint8Array[] = [];
    let have = this.available();
    while (have < n && !this.eof) {
      let r: IteratorResult<unknown>;
      try {
        r = await it.next();
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new CaptureError('io', this.file, this.base + this.buf.length + have - this.available(), `read failed: ${msg}`, { cause: e });
      }
      if (r.done) { this.eof = true; break; }
      const c = toBytes(r.value);
      if (c.length === 0) continue;
      parts.push(c);
      have += c.length;
    }
    if (parts.length === 0) return have >= n;
    const rest = this.buf.subarray(this.pos);
    let next: Uint8Array;
    if (rest.length === 0 && parts.length === 1) {
      next = parts[0]!;
    } else {
      // Copy once: what is left of the old window plus the chunks just read.
      next = new Uint8Array(have);
      next.set(rest, 0);
      let at = rest.length;
      for (const p of parts) { next.set(p, at); at += p.length; }
    }
    this.base += this.pos;
    this.pos = 0;
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    return have >= n;
  }

  private async fillFromFile(n: number): Promise<boolean> {
    const rest = this.available();
    // The unread bytes go to the start of the window (a new, larger one only for a record or
    // block longer than the window).
    if (n > this.window.length) {
      const bigger = new Uint8Array(n);
      bigger.set(this.buf.subarray(this.pos));
      this.window = bigger;
    } else if (rest > 0) {
      this.window.copyWithin(0, this.pos, this.pos + rest);
    }
    this.base += this.pos;
    this.pos = 0;
    let have = rest;
    try {
      this.handle ??= await open(this.path!, 'r');
      while (have < n && !this.eof) {
        const { bytesRead } = await this.handle.read(this.window, have, this.window.length - have, null);
        if (bytesRead === 0) this.eof = true;
        have += bytesRead;
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new CaptureError('io', this.file, this.base + have, `read failed: ${msg}`, { cause: e });
    }
    this.buf = this.window.subarray(0, have);
    this.view = new DataView(this.window.buffer, this.window.byteOffset, have);
    return have >= n;
  }

  /** Stop reading the input (closes the file, or a stream early). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.path !== undefined) await this.handle?.close();
    else await this.it!.return?.();
  }
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`capture input must yield bytes, got ${typeof v === 'string' ? 'a string (is an encoding set on the stream?)' : typeof v}`);
}
