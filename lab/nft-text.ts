// Reading `nft -n list table` output. Text, not JSON: nft 1.0.6 cannot print this ruleset's
// map statements as JSON (it warns "no json callback") and prints the key maps' values as
// "0x1235 [invalid type]" either way.
import { keyOfText } from './address-key.ts';

export interface Listing {
  /** Elements of every set and map, by name: address key (address-key.ts) -> value text ('' for sets). */
  elements: Map<string, Map<string, string>>;
  /** Packet counts of named counters. */
  counters: Map<string, number>;
}

export function parseListing(text: string): Listing {
  const elements = new Map<string, Map<string, string>>();
  const counters = new Map<string, number>();
  const re = /^\t(set|map|counter) (\S+) \{$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const name = m[2]!;
    const close = text.indexOf('\n\t}', m.index);
    const body = text.slice(m.index, close < 0 ? text.length : close);
    if (m[1] === 'counter') {
      const p = /packets (\d+)/.exec(body);
      counters.set(name, p ? Number(p[1]) : 0);
      continue;
    }
    const elems = new Map<string, string>();
    elements.set(name, elems);
    const at = body.indexOf('elements = {');
    if (at < 0) continue;
    const end = body.indexOf('}', at);
    const list = body.slice(at + 'elements = {'.length, end < 0 ? body.length : end);
    for (const item of list.split(',')) {
      const sep = item.indexOf(' : ');
      const key = keyOfText((sep < 0 ? item : item.slice(0, sep)).trim());
      if (key !== undefined) elems.set(key, sep < 0 ? '' : item.slice(sep + 3).trim());
    }
  }
  return { elements, counters };
}

/** A numeric map value as nft -n prints it ("47", "0x8", "0x4321 [invalid type]"). */
export function numericValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.split(' ')[0]!;
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^[0-9]+$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(v) ? v : undefined;
}
