// gre_pkt_to_tuple (net/netfilter/nf_conntrack_proto_gre.c, Linux 6.18): the only place GRE
// bytes are read. Only version 1 with protocol 0x880B (PPTP, RFC 2637) gets keys.
import { be16 } from './bytes.ts';
import { hexWord } from '../../spec/address.ts';
import { keymapLookup, type ParsedKeymapEntry } from './keymap.ts';
import { INVALID, R, type Decision, type Why } from './decision.ts';

export const GRE_VERSION_MASK = 0x0007;
export const GRE_VERSION_1 = 0x0001;
export const GRE_PROTO_PPP = 0x880b;

/**
 * The keys, into d.srckey and d.dstkey, with the deciding rule and reason (the caller settles
 * the outcome); or false when the packet is invalid (GRE-4), then decided in `d`. The keymap is
 * looked up with the `alen`-byte addresses at srcOff and dstOff of `b`.
 */
export function greKeys(
  b: Uint8Array, dataoff: number, end: number, srcOff: number, dstOff: number, alen: number,
  keymap: readonly ParsedKeymapEntry[], d: Decision,
): boolean {
  const x = d.explain;
  const flags = be16(b, dataoff, end);
  const proto = be16(b, dataoff + 2, end);
  if (flags < 0 || proto < 0) {
    d.add(R['GRE-1']);
    return keys(d, 0, 0, R['GRE-1'], x && `${greBytes(dataoff, end)} GRE bytes, fewer than the 4 of the base header: keys 0/0`);
  }
  const version = flags & GRE_VERSION_MASK;
  if (version !== GRE_VERSION_1 || (flags & 0x00f8) !== 0) d.add(R['GRE-2']);
  if (version !== GRE_VERSION_1) {
    return keys(d, 0, 0, R['GRE-2'], x && `GRE version ${version} (flags 0x${hex4(flags)}): only version 1 gets keys, so 0/0`);
  }
  const callId = be16(b, dataoff + 6, end);
  if (callId < 0) {
    d.add(R['GRE-3']);
    return keys(d, 0, 0, R['GRE-3'], x && `version 1 with ${greBytes(dataoff, end)} GRE bytes, fewer than 8: keys 0/0, protocol not checked`);
  }
  if (proto !== GRE_PROTO_PPP) {
    d.add(R['GRE-4']);
    d.settle(INVALID, R['GRE-4'], x && `version 1 with protocol 0x${hex4(proto)}, not 0x880b (PPP): invalid`);
    return false;
  }
  d.add(R['GRE-5']);
  if (keymap.length > 0) d.add(R['GRE-6']);
  const srckey = keymapLookup(keymap, b, srcOff, dstOff, alen, callId, d);
  if (end - dataoff > 8) d.add(R['GRE-7']);
  const km3 = keymap.length > 1 && d.has(R['KM-3']);
  const decidedBy = srckey !== 0 || km3 ? (km3 ? R['KM-3'] : R['GRE-6']) : R['GRE-5'];
  return keys(d, srckey, callId, decidedBy, x &&
    `PPTP: dstkey is the call id 0x${hexWord(callId)} at GRE bytes 6-7` + (srckey ? `, srckey 0x${hexWord(srckey)} from the keymap` : ', no keymap entry: srckey 0'));
}

function keys(d: Decision, srckey: number, dstkey: number, r: number, why: Why): true {
  d.srckey = srckey;
  d.dstkey = dstkey;
  d.decidedBy = r;
  if (why !== false) d.reason = why;
  return true;
}

function greBytes(dataoff: number, end: number): number {
  return Math.max(0, end - dataoff);
}

// Hex through spec/address.ts's tables: Number#toString(16) and padStart were a visible part of
// the oracle's time per packet when every verdict carried a reason.
function hex4(n: number): string {
  const h = hexWord(n);
  return h.length === 4 ? h : '0000'.slice(h.length) + h;
}
