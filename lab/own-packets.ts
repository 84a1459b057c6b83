// The lab's own datagrams, appended to every batch after the cases, and the sources that name
// them (address-key.ts spelling). No case ever gets these sources (rewrite.ts ranges).
import { ipv4Checksum } from '../oracles/index.ts';
import { RX_ADDR4, SENTINEL_SRC4 } from './rewrite.ts';
import { keyOfBytes } from './address-key.ts';

export const SENTINEL_KEY = keyOfBytes(SENTINEL_SRC4, 0, 4);
export const CANARY_KEY = '2001:0db8:ffff:0000:0000:0000:0000:0001';
export const OWN_KEYS: ReadonlySet<string> = new Set([SENTINEL_KEY, CANARY_KEY]);

/**
 * The barrier, sent last: a plain GRE v0 datagram. Frames are processed in the order sent
 * (injector.py), each to the end before the next, so once its entry is in the table every
 * earlier datagram of the batch is through.
 */
export function sentinelPacket(): Uint8Array {
  const p = Uint8Array.from([0x45, 0, 0, 24, 0x67, 0x72, 0, 0, 64, 47, 0, 0, ...SENTINEL_SRC4, ...RX_ADDR4, 0, 0, 0x08, 0]);
  const c = ipv4Checksum(p, 20);
  p[10] = c >> 8;
  p[11] = c & 0xff;
  return p;
}

/**
 * An atomic IPv6 fragment (reference row V13), sent before the sentinel. Every datagram with a
 * Fragment header goes through nf_ct_frag6_gather's queue lookup, which refuses all of them
 * once held fragments fill the namespace's reassembly memory: they would all look not-seen. The
 * canary is reassembled at once and tracked unless that happened.
 */
export function canaryPacket(): Uint8Array {
  return Uint8Array.from(Buffer.from('6000000000142c40' + '20010db8ffff00000000000000000001' + '20010db8000000000000000000000002'
    + '2f00000000000113' + '3001880b00006c6c00000001', 'hex'));
}
