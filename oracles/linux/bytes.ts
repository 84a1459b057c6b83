// Bounds-checked reads. `end` is the number of bytes conntrack can see (after the IP layer
// trimmed the datagram), not the length of the buffer: a read that crosses it is undefined,
// as skb_header_pointer returns NULL past skb->len.

export function u8(b: Uint8Array, off: number, end: number): number | undefined {
  return off >= 0 && off < end ? b[off] : undefined;
}

export function be16(b: Uint8Array, off: number, end: number): number | undefined {
  return off >= 0 && off + 2 <= end ? (b[off]! << 8) | b[off + 1]! : undefined;
}

/** True when `len` bytes starting at `off` can be read. */
export function readable(off: number, len: number, end: number): boolean {
  return off >= 0 && off + len <= end;
}
