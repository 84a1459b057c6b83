// What an operator can do about a collision: stop tracking GRE between the two hosts (the raw
// table's NOTRACK target, or nftables' notrack statement), and what that costs. Pure data, so
// the json output carries the same commands the text shows.
import { parseAddress } from '../spec/address.ts';
import type { Collision } from './analyze.ts';

export interface NotrackAdvice {
  readonly entry: number;
  readonly hosts: readonly [string, string];
  readonly why: string;
  readonly iptables: readonly string[];
  readonly nft: readonly string[];
  readonly cost: string;
}

export const NOTRACK_COST =
  'Untracked GRE gets no NAT: SNAT, masquerade and DNAT do not apply to it, so this only helps where the ' +
  'GRE between these hosts is not translated. Rules that accept by state (ct state established,related) no ' +
  'longer match it either: accept GRE between these hosts explicitly (e.g. iptables -A FORWARD -p gre -s A -d B -j ACCEPT).';

export function notrackAdvice(c: Collision): NotrackAdvice {
  const [a, b] = c.hosts;
  const v6 = (parseAddress(a)?.length ?? 4) === 16;
  const ipt = v6 ? 'ip6tables' : 'iptables';
  const fam = v6 ? 'ip6' : 'ip';
  const keys = [...new Set(c.flows.map((f) => (f.key === null ? 'no key' : `key 0x${f.key.toString(16)}`)))];
  return {
    entry: c.entry,
    hosts: c.hosts,
    why: `GRE version 0 tunnels between ${a} and ${b} with ${keys.join(', ')} are one conntrack entry: Linux does not use the RFC 2890 key ` +
      '(only PPTP, GRE version 1, gets keys), so their packets all match the entry of the first one. Behind a NAT, such tunnels from ' +
      'different inside hosts to one peer cannot coexist (the peer\'s packets all go back to the host that created the entry), and a ' +
      'firewall cannot tell them apart by state.',
    iptables: [
      `${ipt} -t raw -A PREROUTING -p gre -s ${a} -d ${b} -j NOTRACK`,
      `${ipt} -t raw -A PREROUTING -p gre -s ${b} -d ${a} -j NOTRACK`,
      `${ipt} -t raw -A OUTPUT -p gre -d ${b} -j NOTRACK   # on ${a} itself, for what it sends (-d ${a} on ${b})`,
    ],
    nft: [
      'nft add table inet raw',
      `nft add chain inet raw prerouting '{ type filter hook prerouting priority raw; }'`,
      `nft add rule inet raw prerouting ${fam} saddr { ${a}, ${b} } ${fam} daddr { ${a}, ${b} } meta l4proto gre notrack`,
      `nft add chain inet raw output '{ type filter hook output priority raw; }'   # on an endpoint itself, with:`,
      `nft add rule inet raw output ${fam} daddr { ${a}, ${b} } meta l4proto gre notrack`,
    ],
    cost: NOTRACK_COST,
  };
}
