// Address text <-> bytes for the encoders, through the spec's parser (RFC 4291 / RFC 5952), with a
// small cache: pools make the same few strings come back in almost every case.
import { formatIPv4, parseIPv4, parseIPv6 } from '../../spec/address.ts';

// One map per family, keyed by the text itself: a key joined from family and text was a new
// string to hash on every lookup. Only the first CACHED texts seen are kept, for good: the pools'
// addresses come back in almost every case and are among the first; a random address seldom
// comes back. Keeping every new one (and clearing the map when full) put a young string and
// its bytes into an old map every few cases, and the collector then had to promote them: that
// was nearly all of what each young-generation collection of a corpus run promoted (150 KB
// then, under 1 KB now) and a packet took about 6% longer (4.82 against 4.51 µs, medians of 5
// alternating runs).
const caches = { 4: new Map<string, Uint8Array>(), 6: new Map<string, Uint8Array>() };
const CACHED = 256;

export function addressBytes(text: string, family: 4 | 6, what: string): Uint8Array {
  const cache = caches[family];
  const hit = cache.get(text);
  if (hit) return hit;
  const b = typeof text === 'string' ? (family === 4 ? parseIPv4(text) : parseIPv6(text)) : undefined;
  if (!b) throw new TypeError(`${what} ${JSON.stringify(text)} is not an IPv${family} address`);
  if (cache.size < CACHED) cache.set(text, b);
  return b;
}

/** The IPv4 address a keymap reference resolves to: the address itself, or an IPv6 address's low 32 bits. */
export function ipv4Of(b: Uint8Array): string {
  return formatIPv4(b, b.length - 4);
}
