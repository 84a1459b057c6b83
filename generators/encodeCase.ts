// GreCase -> the contract's input: datagram bytes and keymap. Pure and deterministic.
import type { KeymapEntry } from '../spec/contract.ts';
import type { GreCase } from './model.ts';
import { layoutCase } from './_internals/layout.ts';

/**
 * Encodes a case. 'auto' fields are computed (lengths, checksums, next headers); explicit ones
 * are written as given. Keymap references resolve against the packet. Throws a TypeError when an
 * address is not one of the header's family.
 */
export function encodeCase(c: GreCase): { packet: Uint8Array; keymap: KeymapEntry[] } {
  const l = layoutCase(c);
  return { packet: l.packet, keymap: l.keymap };
}
