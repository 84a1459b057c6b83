// Bounds-checked big-endian reads: undefined past the end, never a silent 0.

export function be16(b: Uint8Array, off: number): number | undefined {
  return off >= 0 && off + 2 <= b.length ? (b[off]! << 8) | b[off + 1]! : undefined;
}

export function be32(b: Uint8Array, off: number): number | undefined {
  return off >= 0 && off + 4 <= b.length
    ? ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0
    : undefined;
}
