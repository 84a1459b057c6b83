// Expected lines written straight to UTF-8 bytes, for `corpus generate`. formatExpectedLine
// (expected-file.ts) builds an object and JSON.stringify()s it: a string per line, which then
// crosses from a worker to the writer by copy and is encoded again on write. Writing the bytes
// once, into one buffer per chunk, removes that string and its garbage; at a million packets
// that was a fifth of a packet's time. The bytes are those of formatExpectedLine(line) + '\n'
// (test/expected-line-bytes.test.ts compares them on generated and hand-made lines), so the
// two cannot give different files.
import type { KeymapEntry } from '../spec/contract.ts';
import type { ExpectedLine } from './expected-file.ts';

const QUOTE = 0x22;
const encoder = new TextEncoder();
// '00'..'ff' as character codes, two per byte.
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).padStart(2, '0');
  HEX[2 * i] = s.charCodeAt(0);
  HEX[2 * i + 1] = s.charCodeAt(1);
}

/** An expected line whose packet is still bytes (written as lowercase hex, as toHex does). */
export type ExpectedLineOfBytes = Omit<ExpectedLine, 'packet'> & { readonly packet: Uint8Array };

/** Expected lines appended as UTF-8 bytes, each ending in a newline. */
export class ExpectedLineBytes {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** The lines added; the writer is spent (its buffer is handed over, e.g. to be transferred). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  /** formatExpectedLine(line) + '\n', with `line.packet` given as bytes. Keys in KEY_ORDER. */
  add(line: ExpectedLineOfBytes): void {
    this.room(1024 + 2 * line.packet.length);
    this.ascii('{"index":'); this.number(line.index);
    if (line.offset !== undefined) { this.ascii(',"offset":'); this.number(line.offset); }
    if (line.caseId !== undefined) { this.ascii(',"caseId":'); this.string(line.caseId); }
    if (line.rule !== undefined) { this.ascii(',"rule":'); this.string(line.rule); }
    if (line.l2 !== undefined) { this.ascii(',"l2":'); this.string(line.l2); }
    this.ascii(',"packet":"'); this.hex(line.packet); this.byte(QUOTE);
    if (line.wireLength !== undefined) { this.ascii(',"wireLength":'); this.number(line.wireLength); }
    this.ascii(',"keymap":['); line.keymap.forEach((e, i) => this.keymapEntry(e, i));
    this.room(256);
    this.byte(0x5d); // ]
    if (line.expected !== undefined) {
      this.ascii(',"expected":');
      const t = line.expected;
      if (t === null) this.ascii('null');
      else {
        this.ascii('{"src":'); this.string(t.src); this.ascii(',"dst":'); this.string(t.dst);
        this.ascii(',"proto":'); this.number(t.proto); this.ascii(',"srckey":'); this.number(t.srckey);
        this.ascii(',"dstkey":'); this.number(t.dstkey); this.byte(0x7d);
      }
    }
    this.ascii(',"outcome":'); this.string(line.outcome);
    this.ascii(',"rules":[');
    line.rules.forEach((r, i) => { this.room(1); if (i > 0) this.byte(0x2c); this.string(r); });
    this.room(64);
    this.byte(0x5d);
    if (line.decidedBy !== undefined) { this.ascii(',"decidedBy":'); this.string(line.decidedBy); }
    if (line.reason !== undefined) { this.ascii(',"reason":'); this.string(line.reason); }
    if (line.description !== undefined) { this.ascii(',"description":'); this.string(line.description); }
    this.room(2);
    this.byte(0x7d);
    this.byte(0x0a);
  }

  private keymapEntry(e: KeymapEntry, i: number): void {
    this.room(128);
    if (i > 0) this.byte(0x2c);
    this.ascii('{"src":'); this.string(e.src); this.ascii(',"dst":'); this.string(e.dst);
    this.ascii(',"dstkey":'); this.number(e.dstkey); this.ascii(',"srckey":'); this.number(e.srckey);
    this.byte(0x7d);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  private byte(b: number): void {
    this.buf[this.at++] = b;
  }

  /** Text known to be ASCII that JSON writes as is (this file's own keys and punctuation). */
  private ascii(s: string): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  private hex(b: Uint8Array): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < b.length; i++) {
      const x = b[i]! << 1;
      buf[at++] = HEX[x]!;
      buf[at++] = HEX[x + 1]!;
    }
    this.at = at;
  }

  /** As JSON.stringify(n); digits by hand for the common case of a safe non-negative integer. */
  private number(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) { this.text(JSON.stringify(n)); return; }
    if (n < 10) { this.byte(0x30 + n); return; }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    const buf = this.buf;
    let at = this.at + digits;
    this.at = at;
    for (let m = n; digits > 0; digits--) {
      const q = Math.floor(m / 10);
      buf[--at] = 0x30 + (m - q * 10);
      m = q;
    }
  }

  /** As JSON.stringify(s): printable ASCII without '"' or '\\' is copied, anything else escaped by JSON. */
  private string(s: string): void {
    this.room(s.length + 2);
    const buf = this.buf;
    const start = this.at;
    let at = start;
    buf[at++] = QUOTE;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) { this.at = start; this.text(JSON.stringify(s)); return; }
      buf[at++] = c;
    }
    buf[at++] = QUOTE;
    this.at = at;
  }

  /** Any text, UTF-8 encoded. */
  private text(s: string): void {
    this.room(3 * s.length);
    this.at += encoder.encodeInto(s, this.buf.subarray(this.at)).written;
  }
}
