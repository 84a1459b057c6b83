// Neutralizers of the GRE and keymap rules: gre_pkt_to_tuple (GRE-1..7) and gre_keymap_lookup
// (KM-2, KM-3), net/netfilter/nf_conntrack_proto_gre.c.
import { normalizeAddress } from '../../spec/address.ts';
import type { GreCase, GreFlags, KeymapSpec } from '../model.ts';
import { withAutoFields } from './autoFields.ts';
import { layoutCase } from './layout.ts';

export function uncut(from: number, to: number, version?: number): (c: GreCase) => GreCase | undefined {
  return (c) => {
    const t = c.truncate;
    if ((version !== undefined && c.gre.flags.version !== version) || !t || t.from !== 'gre' || t.keep < from || t.keep >= to) return undefined;
    return { ...withAutoFields(c), truncate: null };
  };
}

const PLAIN: GreFlags = { c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 };

export function plainFlags(c: GreCase): GreCase | undefined {
  const f = c.gre.flags;
  const plain: GreFlags = f.version === 1 ? { ...f, a: false, reserved: 0 } : PLAIN;
  if ((Object.keys(plain) as (keyof GreFlags)[]).every((k) => plain[k] === f[k])) return undefined;
  const n = withAutoFields(c);
  return { ...n, gre: { ...n.gre, flags: plain } };
}

export function pppProtocol(c: GreCase): GreCase | undefined {
  if (c.gre.flags.version !== 1 || c.gre.protocol === 0x880b) return undefined;
  const n = withAutoFields(c);
  return { ...n, gre: { ...n.gre, protocol: 0x880b } };
}

export function cutAfterByte7(c: GreCase): GreCase | undefined {
  const n = withAutoFields(c);
  const l = layoutCase(n);
  if (l.datagramLength - l.greOffset <= 8) return undefined;
  return { ...n, truncate: { from: 'gre', keep: 8, lengths: 'after' } };
}

/** Full and near-miss keymap entries, as gre_keymap_lookup compares them (KM-2). */
function keymapMatches(c: GreCase): { full: boolean[]; near: boolean[] } {
  const l = layoutCase(c);
  const four = c.ip.family === 4;
  const src = four ? normalizeAddress(c.ip.src) : undefined;
  const dst = four ? normalizeAddress(c.ip.dst) : undefined;
  const full: boolean[] = [];
  const near: boolean[] = [];
  for (const e of l.keymap) {
    const es = normalizeAddress(e.src);
    const ed = normalizeAddress(e.dst);
    const s = src !== undefined && es === src;
    const d = dst !== undefined && ed === dst;
    const k = e.dstkey === l.callId;
    const swapped = src !== undefined && es === dst && ed === src;
    full.push(s && d && k);
    near.push(!(s && d && k) && ((s && d) || k || swapped));
  }
  return { full, near };
}

export function noNearMisses(c: GreCase): GreCase | undefined {
  if (c.keymap.length === 0) return undefined;
  const { near } = keymapMatches(c);
  if (!near.some(Boolean)) return undefined;
  return { ...c, keymap: c.keymap.filter((_, i) => !near[i]) };
}

export function firstMatchOnly(c: GreCase): GreCase | undefined {
  if (c.keymap.length < 2) return undefined;
  const { full } = keymapMatches(c);
  const first = full.indexOf(true);
  if (first < 0 || full.lastIndexOf(true) === first) return undefined;
  const keymap: KeymapSpec[] = c.keymap.filter((_, i) => !full[i] || i === first);
  return { ...c, keymap };
}
