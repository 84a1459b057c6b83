// The plain-text report of `gre-conformance lab nat`: short enough to paste into a ticket.
import { HOSTS, OUTSIDE, SERVER, type NatResult, type Outcome, type VariantResult } from './nat-scenario.ts';

const WHY: Record<string, string> = {
  A: 'The RFC 2890 key is not part of the conntrack tuple for GRE v0 (GRE-2): both tunnels are\n' +
    '   "host -> 192.0.2.2, keys 0/0". Behind one address their reply tuples are identical, the\n' +
    '   keys cannot be changed (no PPTP master), so the second host\'s entry clashes at confirm and\n' +
    '   every datagram of it is dropped (NAT-4). Traffic the server sends into tunnel 2 matches\n' +
    '   host A\'s entry and is delivered to host A.',
  B: 'NOTRACK removes the clash, and with it all NAT: the server sees the inside addresses and\n' +
    '   cannot answer them (no route); its own tunnel-2 datagrams to 192.0.2.1 stop at the router.',
  C: 'NOTRACK plus one stateless rewrite per key: every tunnel works, at the price of per-key rules\n' +
    '   written by hand (the key is read at GRE bytes 4-7 of a K-only header).',
  D: 'PPTP (GRE v1) passes: the helper tracks the call IDs of each control connection, nf_nat_pptp\n' +
    '   gives each call its own NATed call ID, and the keymap turns them into distinct tuples\n' +
    '   (KM-4, NAT-6), even though both hosts chose the same call ID.',
};
const REFS: Record<string, string> = { A: 'NAT-4, NAT-5 A', B: 'NAT-5 B', C: 'NAT-5 C', D: 'KM-4, NAT-6' };

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

function lines(v: VariantResult): string[] {
  const k = v.kernel, o = v.oracle;
  const row = (label: string, kv: string, ov: string) => `   ${pad(label, 34)}${pad(kv, 30)}${kv === ov ? 'same' : ov}`;
  const out = [`${v.id}. ${v.title}   [${REFS[v.id]}]`, `   ${v.rule}`, `   ${pad('', 34)}${pad('kernel', 30)}oracle`];
  k.hosts.forEach((h, i) => {
    const label = v.id === 'D' ? `${h.name} (call ID 0x${HOSTS[i]!.pns.toString(16)}) replies` : `${h.name} (key ${HOSTS[i]!.key}) replies`;
    const fmt = (x: Outcome['hosts'][number]) => `${x.replies}/${x.sent}${x.foreign ? ` (+${x.foreign} of the other tunnel)` : ''}`;
    out.push(row(label, fmt(h), fmt(o.hosts[i]!)));
  });
  const srv = (x: Outcome) => Object.entries(x.server).map(([s, n]) => `${s}: ${n}`).join('; ') || 'nothing';
  out.push(row('server received', srv(k), srv(o)));
  if (k.serverNoRoute || o.serverNoRoute) out.push(row('server replies without a route', String(k.serverNoRoute), String(o.serverNoRoute)));
  out.push(row('router insert_failed / drop', `${k.insertFailed} / ${k.drop}`, `${o.insertFailed} / ${o.drop}`));
  if (k.unsolicited && o.unsolicited) {
    const u = (x: NonNullable<Outcome['unsolicited']>) => [x.hostA ? `host A ${x.hostA}` : '', x.hostB ? `host B ${x.hostB}` : '', x.neither ? `nowhere ${x.neither}` : ''].filter(Boolean).join(', ') + ` of ${x.sent}`;
    out.push(row('server -> tunnel 2 arrived at', u(k.unsolicited), u(o.unsolicited)));
  }
  out.push(`   conntrack at the router (GRE): ${k.entries.length === 0 ? 'nothing' : ''}`);
  for (const e of k.entries) out.push(`     ${e}`);
  out.push(`   Why: ${WHY[v.id]}`);
  const compared = v.datagrams.filter((d) => d.kernel !== undefined).length;
  out.push(v.agree
    ? `   kernel == oracle: yes (${compared} datagrams at the router, each with the same tuple${v.id === 'B' || v.id === 'C' ? ' or untracked' : ''})`
    : `   kernel == oracle: NO\n${v.differences.map((d) => `     ${d}`).join('\n')}`);
  if (v.capture) out.push(`   capture (router, inbound): ${v.capture}`);
  return out;
}

export function formatNatReport(r: NatResult): string {
  const head = [
    `GRE tunnels through NAT on Linux ${r.kernelRelease} (live kernel, network namespaces), beside the gre-conformance oracle`,
    `Setup: host A ${HOSTS[0].addr} (tunnel key ${HOSTS[0].key}) and host B ${HOSTS[1].addr} (key ${HOSTS[1].key}) behind a router that masquerades`,
    `them as ${OUTSIDE}; server ${SERVER} echoes every GRE datagram and has no route to 10.0.0.0/8.`,
    `Each host sends ${r.packets} datagrams; then the server sends ${r.packets} into tunnel 2 on its own.`,
    '',
  ];
  const body = r.scenarios.flatMap((v) => [...lines(v), '']);
  const ok = r.scenarios.every((v) => v.agree);
  const tail = [
    ok ? `Summary: the kernel did what the oracle predicted in all ${r.scenarios.length} variants.` : 'Summary: the kernel and the oracle DISAGREE (see above).',
    'Only one GRE v0 tunnel per (inside network, server) pair survives MASQUERADE. Workarounds:',
    'NOTRACK + static rewrites per key (C), a distinct outside address per tunnel, or PPTP-style',
    'GRE v1 where a helper maps call IDs (D).',
  ];
  return [...head, ...body, ...tail].join('\n');
}
