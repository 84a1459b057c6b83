// Ethernet framing for injected datagrams. The datagram is copied whole, so bytes past the IP
// length fields (Ethernet padding, lies) reach the receiver as part of the frame (CONTRACT.md 3).

/** MAC addresses of the veth pair: locally administered, and private to the lab's namespaces. */
export const TX_MAC = Uint8Array.from([0x02, 0x67, 0x72, 0x65, 0x63, 0x01]);
export const RX_MAC = Uint8Array.from([0x02, 0x67, 0x72, 0x65, 0x63, 0x02]);

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;

/**
 * The EtherType a sender would use. An IP version that is neither 4 nor 6 goes out as IPv4,
 * which is what ip_rcv_core then rejects (L3-2); an empty datagram too.
 */
export function etherTypeOf(packet: Uint8Array): number {
  return packet.length > 0 && packet[0]! >> 4 === 6 ? ETH_P_IPV6 : ETH_P_IP;
}

export function frameOf(packet: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + packet.length);
  // Destination = the receiver's own MAC, so the frame is PACKET_HOST and ip_rcv keeps it.
  f.set(RX_MAC, 0);
  f.set(TX_MAC, 6);
  const t = etherTypeOf(packet);
  f[12] = t >> 8;
  f[13] = t & 0xff;
  f.set(packet, 14);
  return f;
}

/** One batch in the injector's input format (see injector.py). */
export function encodeBatch(packets: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const p of packets) size += 4 + 14 + p.length;
  const out = Buffer.allocUnsafe(8 + size);
  out.writeUInt32LE(packets.length, 0);
  out.writeUInt32LE(size, 4);
  let off = 8;
  for (const p of packets) {
    const f = frameOf(p);
    out.writeUInt32LE(f.length, off);
    out.set(f, off + 4);
    off += 4 + f.length;
  }
  return out;
}
