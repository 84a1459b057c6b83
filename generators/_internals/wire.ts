// A growable big-endian byte writer for the encoders. Values are masked to their width, so an
// out-of-range explicit field is written modulo its size rather than throwing.

export class Writer {
  bytes: number[] = [];

  get length(): number {
    return this.bytes.length;
  }

  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }

  u16(v: number): void {
    this.bytes.push((v >>> 8) & 0xff, v & 0xff);
  }

  u32(v: number): void {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }

  put(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]! & 0xff);
  }

  zeros(n: number): void {
    for (let i = 0; i < n; i++) this.bytes.push(0);
  }

  set16(at: number, v: number): void {
    this.bytes[at] = (v >>> 8) & 0xff;
    this.bytes[at + 1] = v & 0xff;
  }
}

export function be16At(b: ArrayLike<number>, off: number): number {
  return ((b[off] ?? 0) << 8) | (b[off + 1] ?? 0);
}

export function be32At(b: ArrayLike<number>, off: number): number {
  return ((be16At(b, off) << 16) | be16At(b, off + 2)) >>> 0;
}

/** RFC 1071 one's complement sum of 16-bit words (odd length padded with a zero byte), complemented. */
export function onesComplementChecksum(b: ArrayLike<number>, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += ((b[i] ?? 0) << 8) | (i + 1 < end ? (b[i + 1] ?? 0) : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
