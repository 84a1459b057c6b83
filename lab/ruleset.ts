// The receiver's nft ruleset. Loading a table that uses `ct` switches conntrack (and the
// defragmenters) on for the namespace; nothing else in the namespace does.
//
// What it records, keyed by source address (every datagram of a batch has its own, rewrite.ts):
// - inv4/inv6: ct state invalid at prerouting priority -150, i.e. after conntrack (-200):
//   nf_conntrack_in ran and attached nothing.
// - pend4/pend6: ct state new at prerouting, deleted again at input: what is left was built and
//   never delivered, so never confirmed (built-unconfirmed). Tracked datagrams leave no element
//   (the conntrack table has them), which keeps the listings short.
// - odd4/odd6: any other ct state; a datagram with a source of its own should never have one.
// - t4*/t6*: the built tuple's protocol, keys and destination, only for sources of the second
//   pass (rewrite.ts), which re-sends just the built-unconfirmed datagrams to learn their tuple.
//   One map per field: nft 1.0.6 aborts on concatenations of `ct original` fields, and cannot
//   delete map elements from the packet path.
// - delivered: how many new datagrams reached input, to check against the table.
// A datagram that left no record never reached the conntrack hook (not-seen).
// The output chain drops what the receiver would send (ICMP errors for protocol 47, ND, MLD)
// before conntrack sees it, so the table holds only entries of injected datagrams.

export const TABLE = 'grec';
export const RX_IF = 'vrx';
export const TX_IF = 'vtx';

export const SETS = {
  4: { invalid: 'inv4', pending: 'pend4', odd: 'odd4' },
  6: { invalid: 'inv6', pending: 'pend6', odd: 'odd6' },
} as const;
export const TUPLE_MAPS = {
  4: { proto: 't4p', srckey: 't4s', dstkey: 't4d', dst: 't4a' },
  6: { proto: 't6p', srckey: 't6s', dstkey: 't6d', dst: 't6a' },
} as const;
export const DELIVERED = 'delivered';

const SIZE = 65536;
/** At most this many datagrams per batch: a dynamic set holds one element per source. */
export const MAX_BATCH = SIZE - 1;

/** `flush` commands that empty every set and map. */
export function flushCommands(): string[] {
  const sets = [...Object.values(SETS[4]), ...Object.values(SETS[6])].map((n) => `flush set inet ${TABLE} ${n}`);
  const maps = [...Object.values(TUPLE_MAPS[4]), ...Object.values(TUPLE_MAPS[6])].map((n) => `flush map inet ${TABLE} ${n}`);
  return [...sets, ...maps];
}

export interface RulesetAddresses {
  /** Source of the barrier datagram: stays in pend4 although delivered. */
  sentinel4: string;
  /** Prefixes of the second pass's sources. */
  second4: string;
  second6: string;
}

export function rulesetText(a: RulesetAddresses): string {
  const set = (name: string, key: string) => `  set ${name} { typeof ${key}; flags dynamic; size ${SIZE}; }`;
  const map = (name: string, key: string, data: string) => `  map ${name} { typeof ${key} : ${data}; flags dynamic; size ${SIZE}; }`;
  const lines = [
    // Declaring then deleting makes the load idempotent: a reload replaces the table whole.
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    `  counter ${DELIVERED} { }`,
  ];
  const pre: string[] = [];
  const input: string[] = [];
  for (const fam of [4, 6] as const) {
    const ipx = fam === 4 ? 'ip' : 'ip6';
    const s = SETS[fam];
    const t = TUPLE_MAPS[fam];
    const nf = `meta nfproto ipv${fam}`;
    lines.push(set(s.invalid, `${ipx} saddr`), set(s.pending, `${ipx} saddr`), set(s.odd, `${ipx} saddr`));
    lines.push(
      map(t.proto, `${ipx} saddr`, 'ct original protocol'),
      map(t.srckey, `${ipx} saddr`, 'ct original proto-src'),
      map(t.dstkey, `${ipx} saddr`, 'ct original proto-dst'),
      map(t.dst, `${ipx} saddr`, `ct original ${ipx} daddr`),
    );
    pre.push(
      `    ${nf} ct state invalid add @${s.invalid} { ${ipx} saddr }`,
      `    ${nf} ct state new add @${s.pending} { ${ipx} saddr }`,
      `    ${nf} ct state established,related,untracked add @${s.odd} { ${ipx} saddr }`,
      `    ${nf} ct state new ${ipx} saddr ${fam === 4 ? a.second4 : a.second6} add @${t.proto} { ${ipx} saddr : ct original protocol } add @${t.srckey} { ${ipx} saddr : ct original proto-src } add @${t.dstkey} { ${ipx} saddr : ct original proto-dst } add @${t.dst} { ${ipx} saddr : ct original ${ipx} daddr }`,
    );
    const keep = fam === 4 ? ` ip saddr != ${a.sentinel4}` : '';
    input.push(`    ${nf} ct state new${keep} delete @${s.pending} { ${ipx} saddr }`);
  }
  lines.push(
    '  chain pre {',
    '    type filter hook prerouting priority -150; policy accept;',
    ...pre,
    '  }',
    '  chain in {',
    // Priority 0: after routing accepted the datagram for local delivery, before the confirm
    // at the hook's last priority, which nothing in between can stop.
    '    type filter hook input priority 0; policy accept;',
    `    ct state new counter name ${DELIVERED}`,
    ...input,
    '  }',
    '  chain out {',
    '    type filter hook output priority -300; policy drop;',
    '  }',
    '}',
    '',
  );
  return lines.join('\n');
}
