// Entries printed as `conntrack -L` (conntrack-tools) and /proc/net/nf_conntrack
// (print_tuple in net/netfilter/nf_conntrack_standalone.c, gre_print_conntrack) show them.
// Keys are printed with %x on host order: lowercase, no padding (CT-3).
import type { Tuple } from '../../spec/contract.ts';
import { parseAddress } from '../../spec/address.ts';
import { invertTuple } from './invert.ts';

const PROTO_NAMES: Record<number, string> = { 47: 'gre' };

export interface EntryView {
  /** Seconds left; conntrack prints it after the protocol number. */
  timeout?: number;
  unreplied?: boolean;
  assured?: boolean;
}

function tupleText(t: Tuple, proc: boolean): string {
  const addr = (a: string) => {
    if (!proc) return a;
    const b = parseAddress(a);
    if (!b || b.length === 4) return a;
    // /proc prints IPv6 fully expanded (%pI6).
    return Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16).padStart(4, '0')).join(':');
  };
  const keys = t.proto === 47 ? ` srckey=0x${t.srckey.toString(16)} dstkey=0x${t.dstkey.toString(16)}` : '';
  return `src=${addr(t.src)} dst=${addr(t.dst)}${keys}`;
}

/** One line as `conntrack -L` prints it. */
export function formatConntrackL(t: Tuple, view: EntryView = {}): string {
  const name = PROTO_NAMES[t.proto] ?? 'unknown';
  const timeout = view.timeout ?? (t.proto === 47 ? 29 : 599);
  const parts = [`${name.padEnd(8)} ${t.proto} ${timeout} ${tupleText(t, false)}`];
  if (view.unreplied ?? true) parts.push('[UNREPLIED]');
  parts.push(tupleText(invertTuple(t), false));
  if (view.assured) parts.push('[ASSURED]');
  parts.push('mark=0 use=1');
  return parts.join(' ');
}

/** One line as /proc/net/nf_conntrack prints it. */
export function formatProcConntrack(t: Tuple, view: EntryView = {}): string {
  const v6 = (parseAddress(t.src)?.length ?? 4) === 16;
  const l3 = v6 ? 'ipv6     10' : 'ipv4     2';
  const name = (PROTO_NAMES[t.proto] ?? 'unknown').padEnd(8);
  const timeout = view.timeout ?? (t.proto === 47 ? 29 : 599);
  const gre = t.proto === 47 ? ' timeout=30, stream_timeout=180' : '';
  const parts = [`${l3} ${name} ${t.proto} ${timeout}${gre} ${tupleText(t, true)}`];
  if (view.unreplied ?? true) parts.push('[UNREPLIED]');
  parts.push(tupleText(invertTuple(t), true));
  if (view.assured) parts.push('[ASSURED]');
  parts.push('mark=0 zone=0 use=2');
  return parts.join(' ');
}


