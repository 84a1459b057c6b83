// A forward-only window over a byte stream, in bounded memory: it keeps the unread part of the
// current chunk plus, while a header or record straddles chunks, just the bytes that record
// needs. Callers ask `fill(n)` before reading n bytes at `pos`; the DataView throws on a read
// past the window, so a missed check fails loudly instead of reading `undefined` as 0.
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
  private readonly it: AsyncIterator<unknown>;

  constructor(chunks: AsyncIterable<unknown>, private readonly file: string) {
    this.it = chunks[Symbol.asyncIterator]();
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
    const parts: Uint8Array[] = [];
    let have = this.available();
    while (have < n && !this.eof) {
      let r: IteratorResult<unknown>;
      try {
        r = await this.it.next();
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

  /** Stop reading the input (closes a file stream early). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`capture input must yield bytes, got ${typeof v === 'string' ? 'a string (is an encoding set on the stream?)' : typeof v}`);
}
