// Address text <-> bytes. Comparison is on bytes, so any valid spelling of an IPv6 address
// (RFC 4291 section 2.2) compares equal; formatting follows RFC 5952 section 4 and 5.

export function formatIPv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

// Hex digits of every byte, without and with a leading zero: formatIPv6 builds each 16-bit word
// from two table lookups (the suite formats two addresses per IPv6 case; Number#toString(16)
// and array joins made it the oracle's costliest step).
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const WORDS = new Int32Array(8);

/** `w.toString(16)` for 0 <= w <= 0xffff, from the tables. */
export function hexWord(w: number): string {
  const hi = w >> 8;
  return hi === 0 ? HEX[w & 0xff]! : HEX[hi]! + HEX2[w & 0xff]!;
}

export function formatIPv6(b: Uint8Array, off: number): string {
  const words = WORDS;
  const run = ipv6Words(b, off, words);
  if (run === MAPPED) return `::ffff:${formatIPv4(b, off + 12)}`;
  if (run < 0) {
    let s = hexWord(words[0]!);
    for (let i = 1; i < 8; i++) s += ':' + hexWord(words[i]!);
    return s;
  }
  const bestStart = run >> 4, after = bestStart + (run & 0xf);
  let s = '';
  for (let i = 0; i < bestStart; i++) s += i === 0 ? hexWord(words[i]!) : ':' + hexWord(words[i]!);
  s += '::';
  for (let i = after; i < 8; i++) s += i === after ? hexWord(words[i]!) : ':' + hexWord(words[i]!);
  return s;
}

/** ipv6Words' answer for an IPv4-mapped address. */
export const MAPPED = -2;

/**
 * The eight 16-bit words of the IPv6 address at b[off..off+16) into `words`, and how RFC 5952
 * writes them (formatIPv6, and writers of the same text as bytes): MAPPED for an IPv4-mapped
 * address (section 5: the dotted quad is kept), -1 when no zero run is compressed, else the
 * run to write as '::' (section 4.2: the longest of two or more zero words, the first on a
 * tie) as start * 16 + length.
 */
export function ipv6Words(b: Uint8Array, off: number, words: Int32Array): number {
  for (let i = 0; i < 8; i++) words[i] = ((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) return MAPPED;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLen;
}

/** Bytes of an IPv4 or IPv6 address in text, or undefined when the text is not an address. */
export function parseAddress(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

export function parseIPv4(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return parseIPv4Split(text);
  // One pass over the characters: four dot-separated parts, each 0 or 1-3 digits without a
  // leading zero, at most 255 (the rules of parseIPv4Split, without split and a regex per part).
  const n = text.length;
  const out = new Uint8Array(4);
  let part = 0, v = 0, digits = 0, first = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x2e; // the end closes the last part like a dot
    if (c === 0x2e) {
      if (digits === 0 || part === 4 || (digits > 1 && first === 0x30) || v > 255) return undefined;
      out[part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) first = c;
      if (++digits > 3) return undefined;
      v = v * 10 + (c - 0x30);
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

function parseIPv4Split(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

export function parseIPv6(text: string): Uint8Array | undefined {
  if (typeof text === 'string' && text.indexOf('.') < 0) return parseIPv6Words(text);
  return parseIPv6Split(text);
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * parseIPv6Split's rules for text without a dotted IPv4 tail, in one pass: groups of 1-4 hex
 * digits separated by one colon, at most one `::`; 8 groups without it, at most 7 with it.
 */
function parseIPv6Words(s: string): Uint8Array | undefined {
  const n = s.length;
  const words = WORDS;
  let count = 0; // groups read
  let gap = -1; // groups before the `::`, once seen
  let i = 0;
  if (n >= 2 && s.charCodeAt(0) === 0x3a && s.charCodeAt(1) === 0x3a) {
    gap = 0;
    i = 2;
    if (i === n) return new Uint8Array(16);
  }
  for (;;) {
    let v = 0, digits = 0;
    for (; i < n; i++) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      if (++digits > 4) return undefined;
      v = (v << 4) | d;
    }
    if (digits === 0 || count === 8) return undefined;
    words[count++] = v;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (i < n && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
      if (i === n) break;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const out = new Uint8Array(16);
  const tail = gap < 0 ? 0 : count - gap;
  const head = count - tail;
  for (let k = 0; k < head; k++) { out[2 * k] = words[k]! >> 8; out[2 * k + 1] = words[k]! & 0xff; }
  for (let k = 0; k < tail; k++) {
    const w = words[head + k]!;
    const at = 8 - tail + k;
    out[2 * at] = w >> 8;
    out[2 * at + 1] = w & 0xff;
  }
  return out;
}

function parseIPv6Split(text: string): Uint8Array | undefined {
  let s = text;
  const out = new Uint8Array(16);
  let tailV4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    tailV4 = parseIPv4(s.slice(lastColon + 1));
    if (!tailV4) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseWords = (h: string): number[] | undefined => {
    if (h === '') return [];
    const ws = h.split(':');
    const r: number[] = [];
    for (const w of ws) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      r.push(parseInt(w, 16));
    }
    return r;
  };
  const head = parseWords(halves[0]!);
  const tail = halves.length === 2 ? parseWords(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + tail.length > 7) return undefined;
  const words = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  if (tailV4) out.set(tailV4, 12);
  return out;
}

/** Canonical text of an address (RFC 5952 for IPv6), or undefined when it is not one. */
export function normalizeAddress(text: string): string | undefined {
  const b = parseAddress(text);
  if (!b) return undefined;
  return b.length === 4 ? formatIPv4(b, 0) : formatIPv6(b, 0);
}
