// Address text <-> bytes for the encoders, through the spec's parser (RFC 4291 / RFC 5952), with a
// small cache: pools make the same few strings come back in almost every case.
import { formatIPv4, parseIPv4, parseIPv6 } from '../../spec/address.ts';

// One map per family, keyed by the text itself: a key joined from family and text was a new
// string to hash on every lookup.
const caches = { 4: new Map<string, Uint8Array>(), 6: new Map<string, Uint8Array>() };

export function addressBytes(text: string, family: 4 | 6, what: string): Uint8Array {
  const cache = caches[family];
  const hit = cache.get(text);
  if (hit) return hit;
  const b = typeof text === 'string' ? (family === 4 ? parseIPv4(text) : parseIPv6(text)) : undefined;
  if (!b) throw new TypeError(`${what} ${JSON.stringify(text)} is not an IPv${family} address`);
  if (cache.size > 4096) cache.clear();
  cache.set(text, b);
  return b;
}

/** The IPv4 address a keymap reference resolves to: the address itself, or an IPv6 address's low 32 bits. */
export function ipv4Of(b: Uint8Array): string {
  return formatIPv4(b, b.length - 4);
}
