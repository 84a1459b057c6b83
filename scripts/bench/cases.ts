// The oracle benchmark's input: N cases of the suite's default mix (greCase + encodeCase, case i
// generated as the suite generates case seed:i), packets back to back in one buffer, with their
// keymaps; and the same cases as a binary file for the C harness (oracle_bench.c reads it).
import { writeFileSync } from 'node:fs';
import type { KeymapEntry } from '../../spec/contract.ts';
import { parseAddress } from '../../spec/address.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { drawCase } from '../../runner/case-id.ts';
import type { GreCase } from '../../generators/index.ts';

export interface CaseSet {
  readonly packets: Uint8Array[];
  readonly contexts: { keymap: KeymapEntry[] }[];
  /** Bytes of all packets. */
  readonly bytes: number;
  /** What the mix holds, in percent of the cases. */
  readonly mix: Record<string, number>;
}

export function generateCases(n: number, seed: number): CaseSet {
  const loose: Uint8Array[] = [];
  const contexts: { keymap: KeymapEntry[] }[] = [];
  const count = { ipv4: 0, ipv6: 0, v0: 0, v1: 0, 'v2-7': 0, 'IPv4 options': 0, 'IPv6 ext headers': 0, truncated: 0, trailer: 0, keymap: 0 };
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c: GreCase = drawCase(defaultSpace.arbitrary, seed, i);
    const { packet, keymap } = defaultSpace.encode(c);
    loose.push(packet);
    contexts.push({ keymap });
    bytes += packet.length;
    count[c.ip.family === 4 ? 'ipv4' : 'ipv6']++;
    const v = c.gre.flags.version;
    count[v === 0 ? 'v0' : v === 1 ? 'v1' : 'v2-7']++;
    if (c.ip.family === 4 && c.ip.options.length > 0) count['IPv4 options']++;
    if (c.ext.length > 0) count['IPv6 ext headers']++;
    if (c.truncate !== null) count.truncated++;
    if (c.trailer.length > 0) count.trailer++;
    if (keymap.length > 0) count.keymap++;
  }
  // One buffer, packets in case order: the layout a capture reader or the C harness has too.
  const all = new Uint8Array(bytes);
  const packets: Uint8Array[] = [];
  let off = 0;
  for (const p of loose) {
    all.set(p, off);
    packets.push(all.subarray(off, off + p.length));
    off += p.length;
  }
  const mix: Record<string, number> = {};
  for (const [k, v] of Object.entries(count)) mix[k] = (100 * v) / n;
  return { packets, contexts, bytes, mix };
}

export function describeMix(mix: Record<string, number>): string {
  return Object.entries(mix).map(([k, v]) => `${k} ${v.toFixed(0)}%`).join(', ');
}

/**
 * Binary cases file: "GREB", u32 count, then per case u16 packet length, u8 keymap entries,
 * u8 0, the entries (u8 family 4|6, u8 0, src[16], dst[16], u16 dstkey, u16 srckey; IPv4 in
 * the first 4 bytes), then the packet. Little-endian.
 */
export function writeCasesFile(path: string, set: CaseSet): void {
  let size = 8;
  for (let i = 0; i < set.packets.length; i++) size += 4 + 38 * set.contexts[i]!.keymap.length + set.packets[i]!.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set([0x47, 0x52, 0x45, 0x42], 0);
  dv.setUint32(4, set.packets.length, true);
  let p = 8;
  for (let i = 0; i < set.packets.length; i++) {
    const pkt = set.packets[i]!;
    const km = set.contexts[i]!.keymap;
    if (pkt.length > 0xffff || km.length > 0xff) throw new Error(`case ${i} does not fit the cases file`);
    dv.setUint16(p, pkt.length, true);
    out[p + 2] = km.length;
    p += 4;
    for (const e of km) {
      const src = parseAddress(e.src), dst = parseAddress(e.dst);
      if (!src || !dst) throw new Error(`case ${i}: keymap address is not one`);
      out[p] = src.length === 4 ? 4 : 6;
      out.set(src, p + 2);
      out.set(dst, p + 18);
      dv.setUint16(p + 34, e.dstkey, true);
      dv.setUint16(p + 36, e.srckey, true);
      p += 38;
    }
    out.set(pkt, p);
    p += pkt.length;
  }
  writeFileSync(path, out);
}
