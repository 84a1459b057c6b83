// IPv4 options (RFC 791 section 3.1), padded with End of Option List bytes to a 32-bit boundary.
import type { Ipv4Option } from '../model.ts';
import { Writer } from './wire.ts';

export function encodeIpv4Options(options: readonly Ipv4Option[]): number[] {
  const w = new Writer();
  for (const o of options) {
    switch (o.kind) {
      case 'eol': w.u8(0); break;
      case 'nop': w.u8(1); break;
      case 'tlv':
        w.u8(o.type);
        w.u8(o.length === 'auto' ? o.data.length + 2 : o.length);
        w.put(o.data);
        break;
      case 'raw': w.put(o.bytes); break;
    }
  }
  w.zeros((4 - (w.length % 4)) % 4);
  return w.bytes;
}
