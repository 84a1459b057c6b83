// The suite's scope (CONTRACT.md section 3): no datagram whose walk ends at a protocol with a
// tracker of its own, no CIPSO (IPv4 option 134, cipso_v4_validate) and no CALIPSO (Hop-by-Hop
// option 0x07, calipso_validate); no Jumbo (0xC2) either, which the generators never mean to
// send. Lies can make any byte play a header, so the finished datagram is checked: the L4
// protocol with the oracle's own scope test, option types with a scan that reads every
// type-length-value the kernel could reach (conservative: it does not stop where the kernel
// would drop the datagram).
// This is the one place generators/ uses the oracle: where a lying chain ends is the kernel's
// walk (ipv6_skip_exthdr), which only the oracle has; a second copy here could drift from it.
import { inOracleScope, linuxDecide } from '../../oracles/linux/tuple.ts';
import { Decision } from '../../oracles/linux/decision.ts';
import type { GreCase } from '../model.ts';
import { layoutCaseAndHold } from './layout.ts';

/** Whether any option of the TLV area b[start..end) has one of `types` (`pad1`: type 0 is one byte). */
function tlvTypes(b: Uint8Array, start: number, end: number, types: ReadonlySet<number>, ipv4: boolean): boolean {
  let p = start;
  const stop = Math.min(end, b.length);
  while (p < stop) {
    const t = b[p]!;
    if (types.has(t)) return true;
    if (ipv4 && t === 0) return false; // End of Option List
    if (t === (ipv4 ? 1 : 0)) { p++; continue; }
    const l = b[p + 1];
    if (l === undefined) return false;
    p += ipv4 ? Math.max(l, 2) : l + 2;
  }
  return false;
}

const CIPSO = new Set([134]);
const CALIPSO_JUMBO = new Set([0x07, 0xc2]);

/** Cheap model-level test: could this case leave the scope at all? */
function mayLeaveScope(c: GreCase): boolean {
  if (c.ip.family === 4) return c.ip.options.length > 0 || c.ip.ihl !== 'auto' || c.ip.version !== 4;
  return c.ext.length > 0 || c.ip.nextHeader !== 'auto' || c.ip.version !== 6 || c.ip.payloadLength !== 'auto' || c.truncate !== null;
}

// One reused Decision: the numeric decision needs no reason text, and the filter runs for a
// large share of drawn cases.
const decision = new Decision();
const NO_KEYMAP: readonly never[] = [];

export function inSuiteScope(c: GreCase): boolean {
  if (!mayLeaveScope(c)) return true;
  const l = layoutCaseAndHold(c);
  const p = l.packet;
  const version = (p[0] ?? 0) >> 4;
  if (version === 4 && tlvTypes(p, 20, (p[0]! & 0xf) * 4, CIPSO, true)) return false;
  if (version === 6 && p[6] === 0 && tlvTypes(p, 42, 40 + ((p[41] ?? 0) + 1) * 8, CALIPSO_JUMBO, false)) return false;
  const d = linuxDecide(p, NO_KEYMAP, decision);
  return inOracleScope(d.l4proto < 0 ? undefined : d.l4proto);
}
