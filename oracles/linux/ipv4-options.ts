// ip_rcv_finish -> ip_rcv_options -> __ip_options_compile (net/ipv4/ip_options.c, Linux 6.18),
// received-packet branch (skb set). These run after PREROUTING: a failure here does not change
// the tuple, it only means the entry is never confirmed (L3-5). Source-routed datagrams are also
// dropped there, since accept_source_route is off for conf/all by default.

export type OptionsCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly offset: number };

const OK: OptionsCheck = { ok: true };

// A function declaration, not a closure per call: tsx (esbuild keepNames) wraps every named
// closure in a __name() call that defines a property, once per datagram with options.
function bad(reason: string, at: number): OptionsCheck {
  return { ok: false, reason, offset: at };
}

export function checkIpv4Options(b: Uint8Array, hlen: number): OptionsCheck {
  let p = 20;
  let l = hlen - 20;
  let srr = false, rr = false, ts = false, cipso = false;
  while (l > 0) {
    const type = b[p]!;
    if (type === 0) break; // EOL: the rest is padding
    if (type === 1) { p++; l--; continue; } // NOP
    if (l < 2) return bad(`option ${type} at byte ${p} has no length byte`, p);
    const optlen = b[p + 1]!;
    if (optlen < 2 || optlen > l) return bad(`option ${type} at byte ${p} has length ${optlen} (${l} bytes left)`, p);
    const ptr = optlen > 2 ? b[p + 2]! : 0;
    switch (type) {
      case 131: // LSRR
      case 137: // SSRR
        if (optlen < 3) return bad(`source route option at byte ${p} too short`, p);
        if (ptr < 4) return bad(`source route pointer ${ptr} < 4`, p);
        if (srr) return bad('second source route option', p);
        srr = true;
        break;
      case 7: // RR
        if (rr) return bad('second record route option', p);
        if (optlen < 3) return bad(`record route option at byte ${p} too short`, p);
        if (ptr < 4) return bad(`record route pointer ${ptr} < 4`, p);
        if (ptr <= optlen && ptr + 3 > optlen) return bad(`record route pointer ${ptr} leaves no room`, p);
        rr = true;
        break;
      case 68: { // Timestamp
        if (ts) return bad('second timestamp option', p);
        if (optlen < 4) return bad(`timestamp option at byte ${p} too short`, p);
        if (ptr < 5) return bad(`timestamp pointer ${ptr} < 5`, p);
        const flag = b[p + 3]! & 0x0f;
        if (ptr <= optlen) {
          if (ptr + 3 > optlen) return bad(`timestamp pointer ${ptr} leaves no room`, p);
          if ((flag === 1 || flag === 3) && ptr + 7 > optlen) return bad(`timestamp pointer ${ptr} leaves no room for address and time`, p);
        } else if (flag !== 3 && b[p + 3]! >> 4 === 15) {
          return bad('timestamp overflow counter is 15', p);
        }
        ts = true;
        break;
      }
      case 148: // Router Alert
        if (optlen < 4) return bad(`router alert option at byte ${p} too short`, p);
        break;
      case 134: // CIPSO: validated by cipso_v4_validate, which the suite does not model
        if (cipso) return bad('second CIPSO option', p);
        cipso = true;
        return bad('CIPSO option (cipso_v4_validate is not modelled; treated as rejected)', p);
      default:
        break;
    }
    l -= optlen;
    p += optlen;
  }
  if (srr) return { ok: false, reason: 'source-routed datagram (accept_source_route is off)', offset: 20 };
  return OK;
}
