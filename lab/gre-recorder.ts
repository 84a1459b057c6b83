// Per-datagram records of what conntrack did with each GRE datagram a router received, keyed
// by the IP id the scenario gave the datagram (unique within a scenario): the entry's
// direction and both its tuples (so the tuple built for the datagram is the original one for
// an original-direction datagram and the reply one for a reply), or that it was invalid or
// untracked (NOTRACK). The rules sit at prerouting priority -150: after conntrack (-200),
// before destination NAT (-100), so addresses and keys are those the datagram arrived with.
// One map per field: nft 1.0.6 cannot concatenate ct original fields (see ruleset.ts).
import type { Tuple } from '../spec/contract.ts';
import { numericValue } from './nft-text.ts';

const FIELDS = {
  dir: 'ct direction',
  osa: 'ct original ip saddr', oda: 'ct original ip daddr', osk: 'ct original proto-src', odk: 'ct original proto-dst',
  rsa: 'ct reply ip saddr', rda: 'ct reply ip daddr', rsk: 'ct reply proto-src', rdk: 'ct reply proto-dst',
} as const;
type Field = keyof typeof FIELDS;
const SETS = { inv: 'invalid', untr: 'untracked' } as const;

/** Declarations and the prerouting rules, for a `table ip` whose name prefixes nothing else. */
export function recorderDeclarations(): string[] {
  const decl = (Object.keys(FIELDS) as Field[]).map((f) => `  map gr_${f} { typeof ip id : ${FIELDS[f]}; flags dynamic; size 65536; }`);
  const sets = Object.keys(SETS).map((s) => `  set gr_${s} { typeof ip id; flags dynamic; size 65536; }`);
  return [...decl, ...sets];
}

export function recorderRules(): string[] {
  const adds = (Object.keys(FIELDS) as Field[]).map((f) => `add @gr_${f} { ip id : ${FIELDS[f]} }`).join(' ');
  return [
    '    ip protocol gre ct state invalid add @gr_inv { ip id }',
    '    ip protocol gre ct state untracked add @gr_untr { ip id }',
    `    ip protocol gre ct state new,established,related ${adds}`,
  ];
}

export function recorderFlush(table: string): string {
  return [...Object.keys(FIELDS).map((f) => `flush map ip ${table} gr_${f}`), ...Object.keys(SETS).map((s) => `flush set ip ${table} gr_${s}`)].join('; ');
}

export interface GreRecord {
  readonly state: 'tracked' | 'invalid' | 'untracked';
  /** The entry the datagram belongs to, and its direction in it (tracked only). */
  readonly direction?: 'original' | 'reply';
  readonly orig?: Tuple;
  readonly reply?: Tuple;
  /** The tuple conntrack built for the datagram: the entry's tuple in the datagram's direction. */
  readonly tuple?: Tuple;
}

/** Parses `nft -n list table ip <table>` into records by IP id. */
export function parseRecords(listing: string): Map<number, GreRecord> {
  const maps = new Map<string, Map<number, string>>();
  const re = /^\t(?:set|map) gr_(\w+) \{$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(listing)) !== null) {
    const close = listing.indexOf('\n\t}', m.index);
    const body = listing.slice(m.index, close < 0 ? listing.length : close);
    const at = body.indexOf('elements = {');
    const elems = new Map<number, string>();
    maps.set(m[1]!, elems);
    if (at < 0) continue;
    const list = body.slice(at + 'elements = {'.length, body.indexOf('}', at));
    for (const item of list.split(',')) {
      const [k, v] = item.split(' : ').map((s) => s.trim());
      if (k !== undefined && /^\d+$/.test(k)) elems.set(Number(k), v ?? '');
    }
  }
  const out = new Map<number, GreRecord>();
  for (const id of maps.get('inv')?.keys() ?? []) out.set(id, { state: 'invalid' });
  for (const id of maps.get('untr')?.keys() ?? []) out.set(id, { state: 'untracked' });
  const get = (f: Field, id: number) => maps.get(f)?.get(id);
  for (const [id, d] of maps.get('dir') ?? []) {
    const tuple = (sa: Field, da: Field, sk: Field, dk: Field): Tuple => ({
      src: get(sa, id) ?? '?', dst: get(da, id) ?? '?', proto: 47, srckey: numericValue(get(sk, id)) ?? -1, dstkey: numericValue(get(dk, id)) ?? -1,
    });
    const orig = tuple('osa', 'oda', 'osk', 'odk');
    const reply = tuple('rsa', 'rda', 'rsk', 'rdk');
    const direction = d === '0' || d === 'original' ? 'original' : 'reply';
    out.set(id, { state: 'tracked', direction, orig, reply, tuple: direction === 'original' ? orig : reply });
  }
  return out;
}
