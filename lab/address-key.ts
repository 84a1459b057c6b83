// How the lab names a datagram: its source address in the spelling /proc/net/nf_conntrack uses
// (dotted quad, IPv6 fully expanded as %pI6 prints it), so the conntrack table, which is the
// largest thing read per batch, needs no conversion at all. Tuples handed out are normalised
// to the contract's spelling (RFC 5952) only at the end.
import { normalizeAddress, parseAddress } from '../spec/address.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function keyOfBytes(b: Uint8Array, off: number, family: 4 | 6): string {
  if (family === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  let s = '';
  for (let i = 0; i < 16; i += 2) s += (i ? ':' : '') + HEX[b[off + i]!]! + HEX[b[off + i + 1]!]!;
  return s;
}

/** The key of an address in any valid spelling (as nft prints it), or undefined. */
export function keyOfText(text: string): string | undefined {
  const b = parseAddress(text);
  if (!b) return undefined;
  return keyOfBytes(b, 0, b.length === 4 ? 4 : 6);
}

/** The contract's spelling of a key or of any address text. */
export function contractAddress(text: string): string {
  return normalizeAddress(text) ?? text;
}
