// gre_pkt_to_tuple (net/netfilter/nf_conntrack_proto_gre.c, Linux 6.18): the only place GRE
// bytes are read. Only version 1 with protocol 0x880B (PPTP, RFC 2637) gets keys.
import { be16 } from './bytes.ts';
import { hexWord } from '../../spec/address.ts';
import { keymapLookup, type ParsedKeymapEntry } from './keymap.ts';
import type { RuleId } from '../../spec/rules.ts';

export const GRE_VERSION_MASK = 0x0007;
export const GRE_VERSION_1 = 0x0001;
export const GRE_PROTO_PPP = 0x880b;

export type GreKeys =
  | { readonly kind: 'keys'; readonly srckey: number; readonly dstkey: number; readonly decidedBy: RuleId; readonly reason: string }
  | { readonly kind: 'invalid'; readonly decidedBy: 'GRE-4'; readonly reason: string };

export function greKeys(
  b: Uint8Array, dataoff: number, end: number, srcOff: number, dstOff: number, alen: number,
  keymap: readonly ParsedKeymapEntry[], rules: RuleId[],
): GreKeys {
  const n = Math.max(0, end - dataoff);
  const flags = be16(b, dataoff, end);
  const proto = be16(b, dataoff + 2, end);
  if (flags === undefined || proto === undefined) {
    rules.push('GRE-1');
    return { kind: 'keys', srckey: 0, dstkey: 0, decidedBy: 'GRE-1', reason: `${n} GRE bytes, fewer than the 4 of the base header: keys 0/0` };
  }
  const version = flags & GRE_VERSION_MASK;
  if (version !== GRE_VERSION_1 || (flags & 0x00f8) !== 0) rules.push('GRE-2');
  if (version !== GRE_VERSION_1) {
    return { kind: 'keys', srckey: 0, dstkey: 0, decidedBy: 'GRE-2', reason: `GRE version ${version} (flags 0x${hex4(flags)}): only version 1 gets keys, so 0/0` };
  }
  const callId = be16(b, dataoff + 6, end);
  if (callId === undefined) {
    rules.push('GRE-3');
    return { kind: 'keys', srckey: 0, dstkey: 0, decidedBy: 'GRE-3', reason: `version 1 with ${n} GRE bytes, fewer than 8: keys 0/0, protocol not checked` };
  }
  if (proto !== GRE_PROTO_PPP) {
    rules.push('GRE-4');
    return { kind: 'invalid', decidedBy: 'GRE-4', reason: `version 1 with protocol 0x${hex4(proto)}, not 0x880b (PPP): invalid` };
  }
  rules.push('GRE-5');
  if (keymap.length > 0) rules.push('GRE-6');
  const srckey = keymapLookup(keymap, b, srcOff, dstOff, alen, callId, rules);
  if (n > 8) rules.push('GRE-7');
  const km3 = keymap.length > 1 && rules.includes('KM-3');
  const decidedBy: RuleId = srckey !== 0 || km3 ? (km3 ? 'KM-3' : 'GRE-6') : 'GRE-5';
  return {
    kind: 'keys', srckey, dstkey: callId, decidedBy,
    reason: `PPTP: dstkey is the call id 0x${hexWord(callId)} at GRE bytes 6-7` + (srckey ? `, srckey 0x${hexWord(srckey)} from the keymap` : ', no keymap entry: srckey 0'),
  };
}

// Hex through spec/address.ts's tables: Number#toString(16) and padStart were a visible part of
// the oracle's time per packet (the reasons are built for every datagram).
function hex4(n: number): string {
  const h = hexWord(n);
  return h.length === 4 ? h : '0000'.slice(h.length) + h;
}
