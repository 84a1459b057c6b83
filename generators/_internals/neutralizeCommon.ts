// Helpers shared by the neutralizers (generators/neutralize.ts).
import type { GreCase, Ipv4Header, Ipv6Header } from '../model.ts';
import { layoutCase, type Layout } from './layout.ts';

export type Neutralizer = (c: GreCase) => GreCase | undefined;

export function v4(c: GreCase): Ipv4Header | undefined {
  return c.ip.family === 4 ? c.ip : undefined;
}

export function v6(c: GreCase): Ipv6Header | undefined {
  return c.ip.family === 6 ? c.ip : undefined;
}

/**
 * The packet made to end where the IP layer trims it (`end` bytes): the datagram cut there when
 * it is longer, the trailer shortened to what the kernel keeps of it when it is shorter.
 */
export function endAt(c: GreCase, l: Layout, end: number): GreCase {
  if (end < l.datagramLength) return { ...c, trailer: new Uint8Array(0), truncate: { from: 'gre', keep: end - l.greOffset, lengths: 'after' } };
  return { ...c, trailer: c.trailer.slice(0, end - l.datagramLength) };
}

/** An explicit length minus the bytes an edit removed before the end, so that it still ends where it did. */
export function shift(length: number | 'auto', removed: number): number | 'auto' {
  return length === 'auto' ? 'auto' : Math.max(0, length - removed);
}

/** Same packet and keymap: the edit changed nothing the kernel could see. */
export function sameCase(a: GreCase, b: GreCase): boolean {
  const x = layoutCase(a);
  const y = layoutCase(b);
  return x.packet.length === y.packet.length && x.packet.every((v, i) => v === y.packet[i]) && JSON.stringify(x.keymap) === JSON.stringify(y.keymap);
}

/**
 * The cut of `c` once the datagram bytes in `removed` (ranges [start, end) before GRE, as laid
 * out in `l`) are taken out, everything else kept: a cut after a removed range moves back with
 * the bytes after it, one inside ends the datagram where the range started. Null when uncut.
 */
export function cutWithout(c: GreCase, l: Layout, removed: readonly (readonly [number, number])[]): GreCase['truncate'] {
  if (c.truncate === null) return null;
  let end = l.datagramLength;
  let gre = l.greOffset;
  for (const [s, e] of removed) {
    gre -= e - s;
    if (l.datagramLength > s) end -= Math.min(l.datagramLength, e) - s;
  }
  return { from: 'gre', keep: end - gre, lengths: c.truncate.lengths };
}
