// Entries of /proc/net/nf_conntrack (print_tuple and gre_print_conntrack in Linux 6.18; CT-3):
//   ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=A dst=B srckey=0x0 dstkey=0x4321 [UNREPLIED] src=B ...
//   ipv6     10 unknown  50 599 src=A6 dst=B6 [UNREPLIED] src=B6 dst=A6 ...
// Only the original direction (the first src=/dst=) is read. Addresses are kept as printed
// (address-key.ts); the per-line work is a few indexOf calls, as tables run to 10^4 lines.
/** One entry as printed: addresses as /proc spells them (they are the lab's keys). */
export interface TableEntry {
  readonly src: string;
  readonly dst: string;
  readonly proto: number;
  readonly srckey: number;
  readonly dstkey: number;
  readonly line: string;
}

/** Field after `name=` up to the next space, searched from `from`; [value, end] or undefined. */
function field(line: string, name: string, from: number, before: number): [string, number] | undefined {
  const at = line.indexOf(name, from);
  if (at < 0 || at > before) return undefined;
  const start = at + name.length;
  let end = line.indexOf(' ', start);
  if (end < 0) end = line.length;
  return [line.slice(start, end), end];
}

export function parseConntrackTable(text: string): TableEntry[] {
  const out: TableEntry[] = [];
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol);
    pos = eol + 1;
    // "<l3name> <l3num> <l4name> <l4num> ...": the protocol number is the fourth word.
    const words = line.split(/\s+/, 4);
    const proto = Number(words[3]);
    const src = field(line, ' src=', 0, line.length);
    if (!src || !Number.isInteger(proto)) continue;
    // The reply direction starts at the second src=; nothing of the original is after it.
    const reply = line.indexOf(' src=', src[1]);
    const limit = reply < 0 ? line.length : reply;
    const dst = field(line, ' dst=', src[1], limit);
    if (!dst) continue;
    const sk = field(line, ' srckey=0x', dst[1], limit);
    const dk = field(line, ' dstkey=0x', dst[1], limit);
    out.push({ src: src[0], dst: dst[0], proto, srckey: sk ? parseInt(sk[0], 16) : 0, dstkey: dk ? parseInt(dk[0], 16) : 0, line });
  }
  return out;
}
/**
 * GRE expectations of /proc/net/nf_conntrack_expect (exp_seq_show): the tuple an expected
 * entry will have, e.g.
 *   300 l3proto = 2 proto=47 src=A dst=B srckey=0xa0a dstkey=0xb0b pptp
 * Expectations of other protocols are left out.
 */
export function parseGreExpectations(text: string): TableEntry[] {
  const out: TableEntry[] = [];
  for (const line of text.split('\n')) {
    const proto = field(line, ' proto=', 0, line.length);
    if (!proto || proto[0] !== '47') continue;
    const src = field(line, ' src=', proto[1], line.length);
    const dst = src && field(line, ' dst=', src[1], line.length);
    if (!src || !dst) continue;
    const sk = field(line, ' srckey=0x', dst[1], line.length);
    const dk = field(line, ' dstkey=0x', dst[1], line.length);
    out.push({ src: src[0], dst: dst[0], proto: 47, srckey: sk ? parseInt(sk[0], 16) : 0, dstkey: dk ? parseInt(dk[0], 16) : 0, line });
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
