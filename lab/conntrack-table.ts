// Entries of /proc/net/nf_conntrack (print_tuple and gre_print_conntrack in Linux 6.18; CT-3):
//   ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=A dst=B srckey=0x0 dstkey=0x4321 [UNREPLIED] src=B ...
//   ipv6     10 unknown  50 599 src=A6 dst=B6 [UNREPLIED] src=B6 dst=A6 ...
// Only the original direction (the first src=/dst=) is read. Addresses are normalised, since
// /proc prints IPv6 fully expanded.
import type { Tuple } from '../spec/contract.ts';
import { normalizeAddress } from '../spec/address.ts';

export interface TableEntry {
  readonly tuple: Tuple;
  readonly line: string;
}

export function parseConntrackTable(text: string): TableEntry[] {
  const out: TableEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(/\s+/);
    const proto = Number(f[3]);
    let src: string | undefined, dst: string | undefined;
    let srckey = 0, dstkey = 0;
    for (const w of f.slice(4)) {
      if (w.startsWith('src=')) { if (src !== undefined) break; src = normalizeAddress(w.slice(4)); }
      else if (w.startsWith('dst=')) dst ??= normalizeAddress(w.slice(4));
      else if (w.startsWith('srckey=')) srckey = parseInt(w.slice(7), 16);
      else if (w.startsWith('dstkey=')) dstkey = parseInt(w.slice(7), 16);
      else if (w.startsWith('[')) break;
    }
    if (src === undefined || dst === undefined || !Number.isInteger(proto)) continue;
    out.push({ tuple: { src, dst, proto, srckey, dstkey }, line });
  }
  return out;
}

/** rx packets and rx drops of one device, from /proc/net/dev. */
export function deviceCounters(text: string, ifname: string): { packets: number; dropped: number } | undefined {
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at < 0 || line.slice(0, at).trim() !== ifname) continue;
    const f = line.slice(at + 1).trim().split(/\s+/).map(Number);
    // Receive columns: bytes packets errs drop fifo frame compressed multicast.
    return { packets: f[1]!, dropped: f[3]! };
  }
  return undefined;
}
