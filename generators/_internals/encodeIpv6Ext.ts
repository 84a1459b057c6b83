// IPv6 extension headers: RFC 8200 section 4.3 (Hop-by-Hop), 4.4 (Routing), 4.5 (Fragment),
// 4.6 (Destination Options), RFC 4302 section 2 (AH). 'auto' lengths are the real length in the
// header's unit; bodies are padded to it (Pad1/PadN for options, zeros otherwise).
import { EXT_TYPE, type Ipv6ExtHeader, type Ipv6Option } from '../model.ts';
import { Writer } from './wire.ts';

function writeOptions(w: Writer, options: readonly Ipv6Option[]): void {
  for (const o of options) {
    if (o.kind === 'pad1') w.u8(0);
    else if (o.kind === 'raw') w.put(o.bytes);
    else {
      w.u8(o.type);
      w.u8(o.length === 'auto' ? o.data.length : o.length);
      w.put(o.data);
    }
  }
}

/** RFC 8200 section 4.2: one Pad1, or a PadN of n-2 zero bytes. */
function optionPadding(w: Writer, n: number): void {
  if (n === 1) w.u8(0);
  else if (n >= 2) {
    w.u8(1);
    w.u8(n - 2);
    w.zeros(n - 2);
  }
}

/** Appends `h` to `w`; `next` is the type that 'auto' nextHeader resolves to. */
export function encodeExtHeader(w: Writer, h: Ipv6ExtHeader, next: number): void {
  const start = w.length;
  w.u8(h.nextHeader === 'auto' ? next : h.nextHeader);
  switch (h.kind) {
    case 'hop-by-hop':
    case 'destination': {
      const lenAt = w.length;
      w.u8(0);
      writeOptions(w, h.options);
      optionPadding(w, (8 - ((w.length - start) % 8)) % 8);
      w.bytes[lenAt] = (h.length === 'auto' ? (w.length - start) / 8 - 1 : h.length) & 0xff;
      return;
    }
    case 'routing': {
      const lenAt = w.length;
      w.u8(0);
      w.u8(h.routingType);
      w.u8(h.segmentsLeft);
      w.put(h.data);
      w.zeros((8 - ((w.length - start) % 8)) % 8);
      w.bytes[lenAt] = (h.length === 'auto' ? (w.length - start) / 8 - 1 : h.length) & 0xff;
      return;
    }
    case 'fragment':
      w.u8(h.reserved);
      w.u16(((h.offset & 0x1fff) << 3) | ((h.res & 3) << 1) | (h.more ? 1 : 0));
      w.u32(h.id);
      return;
    case 'ah': {
      const lenAt = w.length;
      w.u8(0);
      w.u16(h.reserved);
      w.u32(h.spi);
      w.u32(h.seq);
      w.put(h.icv);
      w.zeros((4 - ((w.length - start) % 4)) % 4);
      w.bytes[lenAt] = (h.length === 'auto' ? (w.length - start) / 4 - 2 : h.length) & 0xff;
      return;
    }
  }
}

export function extType(h: Ipv6ExtHeader): number {
  return EXT_TYPE[h.kind];
}
