// The PPTP keymap lookup: gre_keymap_lookup / gre_key_cmpfn (net/netfilter/nf_conntrack_proto_gre.c,
// Linux 6.18). An entry matches on family, both addresses and dstkey (KM-2); the list is walked in
// insertion order and the first match wins (KM-3).
import type { KeymapEntry } from '../../spec/contract.ts';
import { parseAddress } from '../../spec/address.ts';
import { R, type Decision } from './decision.ts';

export interface ParsedKeymapEntry {
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly dstkey: number;
  readonly srckey: number;
}

const NONE: readonly ParsedKeymapEntry[] = Object.freeze([]);

/**
 * Parses the contract's keymap; throws a TypeError that names the bad entry. Not cached: a
 * WeakMap from keymap array to parse cost more in garbage collection (one ephemeron per case
 * the suite generates) than parsing one to three addresses again does. A loop that decides
 * many datagrams under one keymap parses it once and calls linuxDecide.
 */
export function parseKeymap(keymap: readonly KeymapEntry[]): readonly ParsedKeymapEntry[] {
  if (keymap.length === 0) return NONE;
  return keymap.map((e, i) => {
    const src = parseAddress(e?.src);
    const dst = parseAddress(e?.dst);
    if (!src || !dst || src.length !== dst.length) throw new TypeError(`keymap[${i}]: src and dst must be addresses of one family, got ${JSON.stringify(e?.src)} and ${JSON.stringify(e?.dst)}`);
    for (const k of ['dstkey', 'srckey'] as const) {
      const v = e[k];
      if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new TypeError(`keymap[${i}].${k} must be an integer 0..65535, got ${JSON.stringify(v)}`);
    }
    return { src, dst, dstkey: e.dstkey, srckey: e.srckey };
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array, bOff: number, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[bOff + i]) return false;
  return true;
}

/**
 * srckey for (family of `alen`-byte addresses at srcOff/dstOff of `pkt`, dstkey), or 0.
 * Adds KM-2 when an entry agreed on some of the compared fields but not all, KM-3 when
 * more than one entry matched.
 */
export function keymapLookup(
  keymap: readonly ParsedKeymapEntry[], pkt: Uint8Array, srcOff: number, dstOff: number, alen: number,
  dstkey: number, d: Decision,
): number {
  let found = -1;
  let matches = 0;
  let nearMiss = false;
  for (let i = 0; i < keymap.length; i++) {
    const e = keymap[i]!;
    const s = sameBytes(e.src, pkt, srcOff, alen);
    const dd = sameBytes(e.dst, pkt, dstOff, alen);
    const k = e.dstkey === dstkey;
    if (s && dd && k) {
      matches++;
      if (found < 0) found = e.srckey;
    } else if ((s && dd) || k || (e.src.length === alen && sameBytes(e.src, pkt, dstOff, alen) && sameBytes(e.dst, pkt, srcOff, alen))) {
      nearMiss = true;
    }
  }
  if (nearMiss) d.add(R['KM-2']);
  if (matches > 1) d.add(R['KM-3']);
  return found < 0 ? 0 : found;
}
