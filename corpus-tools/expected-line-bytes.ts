// Expected lines written straight to UTF-8 bytes, for `corpus generate`. formatExpectedLine
// (expected-file.ts) builds an object and JSON.stringify()s it: a string per line, which then
// crosses from a worker to the writer by copy and is encoded again on write. Writing the bytes
// once, into one buffer per chunk, removes that string and its garbage; at a million packets
// that was a fifth of a packet's time. The bytes are those of formatExpectedLine(line) + '\n'
// (test/expected-line-bytes.test.ts compares them on generated and hand-made lines), so the
// two cannot give different files.
//
// addDecided writes a generated case's line from the oracle's Decision itself: the tuple's
// addresses from the datagram's bytes, outcome and rules from bytes made once. Building the
// tuple's strings and the rules' list first, then copying them, took about a third of the
// line's time in a micro-benchmark; the bench's line stage went from 1.58 to 1.38 µs. The
// description comes as bytes too (DescriptionBytes): built as a string it was a rope of some
// twenty pieces, and copying a rope out a character at a time took about 0.35 µs a line; a
// packet went from 4.93 to 4.74 µs (medians of 5 alternating runs of 80,000 packets). The
// case id as well (CaseIdBytes): 4.74 to 4.52 µs, most of it in the collector's pauses.
import type { KeymapEntry } from '../spec/contract.ts';
import type { DescriptionSink } from '../generators/index.ts';
import { RULE_IDS } from '../spec/rules.ts';
import { ipv6Words, MAPPED } from '../spec/address.ts';
import { OUTCOMES, type Decision } from '../oracles/index.ts';
import type { ExpectedLine } from './expected-file.ts';

const QUOTE = 0x22;
const COLON = 0x3a;
const WORDS = new Int32Array(8);
const encoder = new TextEncoder();
// '00'..'ff' as character codes, two per byte.
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).padStart(2, '0');
  HEX[2 * i] = s.charCodeAt(0);
  HEX[2 * i + 1] = s.charCodeAt(1);
}

/** ASCII text known at load time, as bytes. */
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
// JSON.stringify of each outcome and rule id, quotes included.
const OUTCOME_JSON = OUTCOMES.map((o) => ascii(JSON.stringify(o)));
const RULE_JSON = RULE_IDS.map((r) => ascii(JSON.stringify(r)));
const K = {
  index: ascii('{"index":'), offset: ascii(',"offset":'), caseId: ascii(',"caseId":'), rule: ascii(',"rule":'), l2: ascii(',"l2":'),
  packet: ascii(',"packet":"'), wireLength: ascii(',"wireLength":'), keymap: ascii(',"keymap":['),
  expected: ascii(',"expected":'), noTuple: ascii(',"expected":null'), src: ascii('{"src":'), dst: ascii(',"dst":'), proto: ascii(',"proto":'),
  srckey: ascii(',"srckey":'), dstkey: ascii(',"dstkey":'), tupleSrc: ascii(',"expected":{"src":"'), tupleDst: ascii('","dst":"'),
  tupleProto: ascii('","proto":'), outcome: ascii(',"outcome":'), rules: ascii(',"rules":['), decidedBy: ascii(',"decidedBy":'),
  reason: ascii(',"reason":'), description: ascii(',"description":'), null: ascii('null'), mapped: ascii('::ffff:'),
};
// "0".."255" as bytes, for dotted quads.
const DECIMAL = Array.from({ length: 256 }, (_, i) => ascii(String(i)));

/** An expected line whose packet is still bytes (written as lowercase hex, as toHex does). */
export type ExpectedLineOfBytes = Omit<ExpectedLine, 'packet'> & { readonly packet: Uint8Array };

/**
 * A description written straight to bytes (generators/describeCase.ts, DescriptionSink), for
 * addDecided to copy into the line. `plain` says whether JSON would copy every character as
 * it is (printable ASCII, no quote or backslash); when it would not, write the line from the
 * description as a string instead. Reset before each description.
 */
export class DescriptionBytes implements DescriptionSink {
  bytes = new Uint8Array(512);
  length = 0;
  plain = true;

  reset(): void {
    this.length = 0;
    this.plain = true;
  }

  text(s: string): void {
    let at = this.length;
    const buf = at + s.length <= this.bytes.length ? this.bytes : this.grow(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) this.plain = false;
      buf[at++] = c;
    }
    this.length = at;
  }

  num(n: number): void {
    const buf = this.length + 24 <= this.bytes.length ? this.bytes : this.grow(24);
    if (Number.isSafeInteger(n) && n >= 0) this.length = number(buf, this.length, n);
    else this.text(String(n));
  }

  private grow(n: number): Uint8Array {
    const bigger = new Uint8Array(Math.max(2 * this.bytes.length, this.length + n));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    return bigger;
  }
}

/**
 * The case ids of generated lines as the text around the line's index: `prefix` + the index in
 * decimal + `suffix` (generate-chunk.ts takes both from formatCaseId). A string made for every
 * case's id went, number and all, through V8's number-to-string cache, which keeps the newest
 * strings alive: a young-generation collection of a corpus run promoted 211 KB with them and
 * 150 KB without (generators/_internals/addresses.ts has most of the rest), its pause 0.8 ms
 * against 0.6.
 */
export class CaseIdBytes {
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;

  constructor(prefix: string, suffix: string) {
    for (const t of [prefix, suffix]) {
      if (!/^[\x20-\x7e]*$/.test(t) || /["\\]/.test(t)) throw new Error(`CaseIdBytes: ${JSON.stringify(t)} is not text JSON copies as it is`);
    }
    this.prefix = ascii(`"${prefix}`);
    this.suffix = ascii(`${suffix}"`);
  }
}

/** Expected lines appended as UTF-8 bytes, each ending in a newline. */
export class ExpectedLineBytes {
  private buf: Uint8Array;
  private at = 0;

  /** `allocate` gives the buffer, and a bigger one when lines outgrow it (generate-chunk.ts gives shared ones). */
  constructor(capacity = 1 << 16, private readonly allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)) {
    this.buf = allocate(capacity);
  }

  /** The lines added; the writer is spent (its buffer is handed over, e.g. to be transferred). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  /** formatExpectedLine(line) + '\n', with `line.packet` given as bytes. Keys in KEY_ORDER. */
  add(line: ExpectedLineOfBytes): void {
    let rules = 0;
    for (const r of line.rules) rules += textBound(r) + 1;
    const t = line.expected;
    const buf = this.room(1024 + 2 * line.packet.length + lineTextBound(line.keymap, line.caseId, line.description) + rules
      + textBound(line.rule) + textBound(line.l2) + textBound(line.reason) + textBound(line.outcome) + textBound(line.decidedBy)
      + (t ? textBound(t.src) + textBound(t.dst) : 0));
    let at = put(buf, this.at, K.index);
    at = number(buf, at, line.index);
    if (line.offset !== undefined) { at = put(buf, at, K.offset); at = number(buf, at, line.offset); }
    if (line.caseId !== undefined) { at = put(buf, at, K.caseId); at = string(buf, at, line.caseId); }
    if (line.rule !== undefined) { at = put(buf, at, K.rule); at = string(buf, at, line.rule); }
    if (line.l2 !== undefined) { at = put(buf, at, K.l2); at = string(buf, at, line.l2); }
    at = put(buf, at, K.packet);
    at = hex(buf, at, line.packet);
    buf[at++] = QUOTE;
    if (line.wireLength !== undefined) { at = put(buf, at, K.wireLength); at = number(buf, at, line.wireLength); }
    at = keymap(buf, at, line.keymap);
    if (t !== undefined) {
      at = put(buf, at, K.expected);
      if (t === null) at = put(buf, at, K.null);
      else {
        at = put(buf, at, K.src); at = string(buf, at, t.src); at = put(buf, at, K.dst); at = string(buf, at, t.dst);
        at = put(buf, at, K.proto); at = number(buf, at, t.proto); at = put(buf, at, K.srckey); at = number(buf, at, t.srckey);
        at = put(buf, at, K.dstkey); at = number(buf, at, t.dstkey); buf[at++] = 0x7d;
      }
    }
    at = put(buf, at, K.outcome);
    at = string(buf, at, line.outcome);
    at = put(buf, at, K.rules);
    for (let i = 0; i < line.rules.length; i++) { if (i > 0) buf[at++] = 0x2c; at = string(buf, at, line.rules[i]!); }
    buf[at++] = 0x5d;
    if (line.decidedBy !== undefined) { at = put(buf, at, K.decidedBy); at = string(buf, at, line.decidedBy); }
    if (line.reason !== undefined) { at = put(buf, at, K.reason); at = string(buf, at, line.reason); }
    if (line.description !== undefined) { at = put(buf, at, K.description); at = string(buf, at, line.description); }
    buf[at++] = 0x7d;
    buf[at++] = 0x0a;
    this.at = at;
  }

  /**
   * The line of a generated case: add() of { index, caseId, packet, keymap, expected:
   * decisionTuple(d), outcome, rules: decisionRules(d), decidedBy, description }, written from
   * the Decision `d` made for `packet` (without `explain`).
   */
  addDecided(index: number, caseId: string | CaseIdBytes, packet: Uint8Array, map: readonly KeymapEntry[], d: Decision, description: string | DescriptionBytes | undefined): void {
    const text = typeof description === 'string' ? description : undefined;
    const bytes = typeof description === 'object' ? description : undefined;
    if (bytes && !bytes.plain) throw new Error('addDecided: a description with characters JSON escapes is given as a string');
    const id = typeof caseId === 'string' ? textBound(caseId) : caseId.prefix.length + caseId.suffix.length + 24;
    const buf = this.room(1024 + 2 * packet.length + id + lineTextBound(map, undefined, text) + 8 * d.ruleCount + (bytes ? bytes.length : 0));
    let at = put(buf, this.at, K.index);
    at = number(buf, at, index);
    at = put(buf, at, K.caseId);
    if (typeof caseId === 'string') at = string(buf, at, caseId);
    else {
      at = put(buf, at, caseId.prefix);
      at = number(buf, at, index);
      at = put(buf, at, caseId.suffix);
    }
    at = put(buf, at, K.packet);
    at = hex(buf, at, packet);
    buf[at++] = QUOTE;
    at = keymap(buf, at, map);
    if (!d.hasTuple) at = put(buf, at, K.noTuple);
    else {
      at = put(buf, at, K.tupleSrc);
      at = address(buf, at, d.bytes, d.srcOff, d.alen);
      at = put(buf, at, K.tupleDst);
      at = address(buf, at, d.bytes, d.dstOff, d.alen);
      at = put(buf, at, K.tupleProto); at = number(buf, at, d.proto);
      at = put(buf, at, K.srckey); at = number(buf, at, d.srckey);
      at = put(buf, at, K.dstkey); at = number(buf, at, d.dstkey);
      buf[at++] = 0x7d;
    }
    at = put(buf, at, K.outcome);
    at = put(buf, at, OUTCOME_JSON[d.outcome]!);
    at = put(buf, at, K.rules);
    for (let i = 0; i < d.ruleCount; i++) { if (i > 0) buf[at++] = 0x2c; at = put(buf, at, RULE_JSON[d.ruleOrder[i]!]!); }
    buf[at++] = 0x5d;
    at = put(buf, at, K.decidedBy);
    at = put(buf, at, RULE_JSON[d.decidedBy]!);
    if (text !== undefined) { at = put(buf, at, K.description); at = string(buf, at, text); }
    else if (bytes) {
      at = put(buf, at, K.description);
      buf[at++] = QUOTE;
      const b = bytes.bytes;
      for (let i = 0; i < bytes.length; i++) buf[at++] = b[i]!;
      buf[at++] = QUOTE;
    }
    buf[at++] = 0x7d;
    buf[at++] = 0x0a;
    this.at = at;
  }

  /** The buffer, grown (if need be) to hold `n` more bytes. */
  private room(n: number): Uint8Array {
    if (this.at + n <= this.buf.length) return this.buf;
    const bigger = this.allocate(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
    return bigger;
  }
}

// Room is reserved once per line, before writing, from bounds: a UTF-16 unit takes at most 6
// bytes in JSON (\uXXXX), a number at most 24 characters.
function textBound(s: string | undefined): number {
  return s === undefined ? 0 : 6 * s.length + 2;
}

function lineTextBound(map: readonly KeymapEntry[], caseId: string | undefined, description: string | undefined): number {
  let n = textBound(caseId) + textBound(description);
  for (const e of map) n += 128 + textBound(e.src) + textBound(e.dst);
  return n;
}

function put(buf: Uint8Array, at: number, s: Uint8Array): number {
  for (let i = 0; i < s.length; i++) buf[at++] = s[i]!;
  return at;
}

function hex(buf: Uint8Array, at: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) {
    const x = b[i]! << 1;
    buf[at++] = HEX[x]!;
    buf[at++] = HEX[x + 1]!;
  }
  return at;
}

function keymap(buf: Uint8Array, at: number, map: readonly KeymapEntry[]): number {
  at = put(buf, at, K.keymap);
  for (let i = 0; i < map.length; i++) {
    const e = map[i]!;
    if (i > 0) buf[at++] = 0x2c;
    at = put(buf, at, K.src); at = string(buf, at, e.src); at = put(buf, at, K.dst); at = string(buf, at, e.dst);
    at = put(buf, at, K.dstkey); at = number(buf, at, e.dstkey); at = put(buf, at, K.srckey); at = number(buf, at, e.srckey);
    buf[at++] = 0x7d;
  }
  buf[at++] = 0x5d;
  return at;
}

/**
 * formatIPv4 / formatIPv6 of b[off..off+alen), as the tuple's text (spec/address.ts), written
 * as bytes: formatIPv6's string is a rope of its words, slow to copy out a character at a time.
 */
function address(buf: Uint8Array, at: number, b: Uint8Array, off: number, alen: number): number {
  if (alen === 4) return dottedQuad(buf, at, b, off);
  const words = WORDS;
  const run = ipv6Words(b, off, words);
  if (run === MAPPED) return dottedQuad(buf, put(buf, at, K.mapped), b, off + 12);
  if (run < 0) {
    for (let i = 0; i < 8; i++) { if (i > 0) buf[at++] = COLON; at = hexWord(buf, at, words[i]!); }
    return at;
  }
  const start = run >> 4, end = start + (run & 0xf);
  for (let i = 0; i < start; i++) { if (i > 0) buf[at++] = COLON; at = hexWord(buf, at, words[i]!); }
  buf[at++] = COLON;
  buf[at++] = COLON;
  for (let i = end; i < 8; i++) { if (i > end) buf[at++] = COLON; at = hexWord(buf, at, words[i]!); }
  return at;
}

function dottedQuad(buf: Uint8Array, at: number, b: Uint8Array, off: number): number {
  at = put(buf, at, DECIMAL[b[off]!]!); buf[at++] = 0x2e;
  at = put(buf, at, DECIMAL[b[off + 1]!]!); buf[at++] = 0x2e;
  at = put(buf, at, DECIMAL[b[off + 2]!]!); buf[at++] = 0x2e;
  return put(buf, at, DECIMAL[b[off + 3]!]!);
}

/** A 16-bit word in lowercase hex without leading zeros (hexWord in spec/address.ts). */
function hexWord(buf: Uint8Array, at: number, w: number): number {
  if (w >= 0x1000) buf[at++] = HEX[(w >> 12) << 1 | 1]!;
  if (w >= 0x100) buf[at++] = HEX[((w >> 8) & 0xf) << 1 | 1]!;
  if (w >= 0x10) buf[at++] = HEX[((w >> 4) & 0xf) << 1 | 1]!;
  buf[at++] = HEX[(w & 0xf) << 1 | 1]!;
  return at;
}

/** As JSON.stringify(n); digits by hand for the common case of a safe non-negative integer. */
function number(buf: Uint8Array, at: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return text(buf, at, JSON.stringify(n));
  if (n < 10) { buf[at] = 0x30 + n; return at + 1; }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  const end = at + digits;
  at = end;
  for (let m = n; digits > 0; digits--) {
    const q = Math.floor(m / 10);
    buf[--at] = 0x30 + (m - q * 10);
    m = q;
  }
  return end;
}

/** As JSON.stringify(s): printable ASCII without '"' or '\\' is copied, anything else escaped by JSON. */
function string(buf: Uint8Array, start: number, s: string): number {
  let at = start;
  buf[at++] = QUOTE;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) return text(buf, start, JSON.stringify(s));
    buf[at++] = c;
  }
  buf[at++] = QUOTE;
  return at;
}

/** Any text, UTF-8 encoded (room for it was reserved: at most 3 bytes per UTF-16 unit). */
function text(buf: Uint8Array, at: number, s: string): number {
  return at + encoder.encodeInto(s, buf.subarray(at)).written;
}
