// Giving each injected datagram an address of its own, so that every map element and
// conntrack entry names exactly one datagram of a batch.
//
// IPv4: the kernel reads no address before conntrack (L3-2 checks none), so both are rewritten:
// a unique source in 10.0.0.0/9 (10.128.0.0/9 in the second pass) and the receiver's address as
// destination, which makes every tracked datagram deliverable and therefore confirmed. The header checksum is updated
// incrementally (RFC 1624, eqn. 3): a correct checksum stays correct and a wrong one stays wrong
// by the same amount, so L3-2 decides as it would have.
// IPv6: ip6_rcv_core drops loopback and some multicast addresses (L3-6). Such an address is
// kept as it is; any other is rewritten like IPv4's. A kept source becomes the datagram's key
// only when no other datagram of the batch has it (see lab.ts).
import { keyOfBytes } from './address-key.ts';

export const RX_ADDR4 = Uint8Array.from([192, 0, 2, 2]);
export const RX_ADDR6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
/** Source of the barrier datagram that ends every batch; never given to a case. */
export const SENTINEL_SRC4 = Uint8Array.from([192, 0, 2, 1]);

/**
 * The second pass re-sends the built-unconfirmed datagrams from sources of their own range, the
 * only sources whose built tuple the ruleset records field by field (ruleset.ts).
 */
export type Pass = 1 | 2;
export const SECOND_PASS_PREFIX4 = '10.128.0.0/9';
export const SECOND_PASS_PREFIX6 = '2001:db8:2::/64';

export interface Prepared {
  /** The datagram as injected. */
  readonly sent: Uint8Array;
  /** The source address that names it in the kernel's records (address-key.ts), if readable. */
  readonly key: string | undefined;
  /** True when the key is an address the lab handed out (unique for the lab's lifetime). */
  readonly unique: boolean;
}

const V4_SPAN = (1 << 23) - 2;

export class AddressPlan {
  private readonly n4 = [0, 0];
  private readonly n6 = [0, 0];

  prepare(packet: Uint8Array, pass: Pass = 1): Prepared {
    const version = packet.length > 0 ? packet[0]! >> 4 : -1;
    if (version === 4 && packet.length >= 20) return this.prepare4(packet, pass);
    if (version === 6 && packet.length >= 40) return this.prepare6(packet, pass);
    // Too short to carry the addresses the kernel would read: nothing can name it.
    return { sent: packet, key: undefined, unique: false };
  }

  private prepare4(packet: Uint8Array, pass: Pass): Prepared {
    const out = Uint8Array.from(packet);
    // Wraps after 8 million datagrams; by then the first ones' fragments have long expired.
    const n = (this.n4[pass - 1]!++ % V4_SPAN) + 1 + (pass === 2 ? 1 << 23 : 0);
    const src = Uint8Array.from([10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
    const oldWords = [be16(out, 12), be16(out, 14), be16(out, 16), be16(out, 18)];
    out.set(src, 12);
    out.set(RX_ADDR4, 16);
    const newWords = [be16(out, 12), be16(out, 14), be16(out, 16), be16(out, 18)];
    const csum = updateChecksum(be16(out, 10), oldWords, newWords);
    out[10] = csum >> 8;
    out[11] = csum & 0xff;
    return { sent: out, key: keyOfBytes(out, 12, 4), unique: true };
  }

  private prepare6(packet: Uint8Array, pass: Pass): Prepared {
    const out = Uint8Array.from(packet);
    const srcKept = addressMatters6(out, 8);
    if (!srcKept) {
      const n = this.n6[pass - 1]!++ + 1;
      // 2001:db8:1::/64 (2001:db8:2::/64 in the second pass), the counter in the low 48 bits.
      out.set([0x20, 0x01, 0x0d, 0xb8, 0, pass, 0, 0, 0, 0], 8);
      for (let i = 0; i < 6; i++) out[23 - i] = Math.floor(n / 2 ** (8 * i)) & 0xff;
    }
    if (!addressMatters6(out, 24)) out.set(RX_ADDR6, 24);
    return { sent: out, key: keyOfBytes(out, 8, 6), unique: !srcKept };
  }
}

/** Loopback (::1) or multicast (ff00::/8): the two address kinds ip6_rcv_core looks at (L3-6). */
export function addressMatters6(b: Uint8Array, off: number): boolean {
  if (b[off] === 0xff) return true;
  for (let i = 0; i < 15; i++) if (b[off + i] !== 0) return false;
  return b[off + 15] === 1;
}

function be16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over each changed 16-bit word. */
export function updateChecksum(hc: number, oldWords: readonly number[], newWords: readonly number[]): number {
  let sum = ~hc & 0xffff;
  for (let i = 0; i < oldWords.length; i++) sum += (~oldWords[i]! & 0xffff) + newWords[i]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
