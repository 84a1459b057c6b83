// Bounds-checked reads. `end` is the number of bytes conntrack can see (after the IP layer
// trimmed the datagram), not the length of the buffer: a read that crosses it fails, as
// skb_header_pointer returns NULL past skb->len. Failure is -1, not undefined, so the readers
// always return a small integer (V8 keeps such call sites monomorphic).

export function be16(b: Uint8Array, off: number, end: number): number {
  return off >= 0 && off + 2 <= end ? (b[off]! << 8) | b[off + 1]! : -1;
}

/** True when `len` bytes starting at `off` can be read. */
export function readable(off: number, len: number, end: number): boolean {
  return off >= 0 && off + len <= end;
}
