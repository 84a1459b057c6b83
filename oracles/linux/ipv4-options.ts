// ip_rcv_finish -> ip_rcv_options -> __ip_options_compile (net/ipv4/ip_options.c, Linux 6.18),
// received-packet branch (skb set). These run after PREROUTING: a failure here does not change
// the tuple, it only means the entry is never confirmed (L3-5). Source-routed datagrams are also
// dropped there, since accept_source_route is off for conf/all by default.
import type { Decision, Why } from './decision.ts';

// A function declaration, not a closure per call: tsx (esbuild keepNames) wraps every named
// closure in a __name() call that defines a property, once per datagram with options.
function bad(d: Decision, why: Why): false {
  if (why !== false) d.reason = why;
  return false;
}

/**
 * True when the options pass; false when the datagram is dropped after PREROUTING, and then,
 * when `d` explains, d.reason says why (the caller keeps it as a note: L3-5 decides nothing).
 */
export function ipv4OptionsOk(b: Uint8Array, hlen: number, d: Decision): boolean {
  const x = d.explain;
  let p = 20;
  let l = hlen - 20;
  let srr = false, rr = false, ts = false, cipso = false;
  while (l > 0) {
    const type = b[p]!;
    if (type === 0) break; // EOL: the rest is padding
    if (type === 1) { p++; l--; continue; } // NOP
    if (l < 2) return bad(d, x && `option ${type} at byte ${p} has no length byte`);
    const optlen = b[p + 1]!;
    if (optlen < 2 || optlen > l) return bad(d, x && `option ${type} at byte ${p} has length ${optlen} (${l} bytes left)`);
    const ptr = optlen > 2 ? b[p + 2]! : 0;
    switch (type) {
      case 131: // LSRR
      case 137: // SSRR
        if (optlen < 3) return bad(d, x && `source route option at byte ${p} too short`);
        if (ptr < 4) return bad(d, x && `source route pointer ${ptr} < 4`);
        if (srr) return bad(d, x && 'second source route option');
        srr = true;
        break;
      case 7: // RR
        if (rr) return bad(d, x && 'second record route option');
        if (optlen < 3) return bad(d, x && `record route option at byte ${p} too short`);
        if (ptr < 4) return bad(d, x && `record route pointer ${ptr} < 4`);
        if (ptr <= optlen && ptr + 3 > optlen) return bad(d, x && `record route pointer ${ptr} leaves no room`);
        rr = true;
        break;
      case 68: { // Timestamp
        if (ts) return bad(d, x && 'second timestamp option');
        if (optlen < 4) return bad(d, x && `timestamp option at byte ${p} too short`);
        if (ptr < 5) return bad(d, x && `timestamp pointer ${ptr} < 5`);
        const flag = b[p + 3]! & 0x0f;
        if (ptr <= optlen) {
          if (ptr + 3 > optlen) return bad(d, x && `timestamp pointer ${ptr} leaves no room`);
          if ((flag === 1 || flag === 3) && ptr + 7 > optlen) return bad(d, x && `timestamp pointer ${ptr} leaves no room for address and time`);
        } else if (flag !== 3 && b[p + 3]! >> 4 === 15) {
          return bad(d, x && 'timestamp overflow counter is 15');
        }
        ts = true;
        break;
      }
      case 148: // Router Alert
        if (optlen < 4) return bad(d, x && `router alert option at byte ${p} too short`);
        break;
      case 134: // CIPSO: validated by cipso_v4_validate, which the suite does not model
        if (cipso) return bad(d, x && 'second CIPSO option');
        cipso = true;
        return bad(d, x && 'CIPSO option (cipso_v4_validate is not modelled; treated as rejected)');
      default:
        break;
    }
    l -= optlen;
    p += optlen;
  }
  if (srr) return bad(d, x && 'source-routed datagram (accept_source_route is off)');
  return true;
}
