// Turns explicit length, checksum and next-header fields that hold exactly what 'auto' would
// compute into 'auto', one at a time, keeping a change only when the bytes stay the same. Then
// edits that change the case (neutralizers, shrinking from parsed values) recompute them instead
// of leaving a stale value that would now lie.
import type { GreCase, GreHeader, Ipv4Header, Ipv4Option, Ipv6ExtHeader, Ipv6Header, Ipv6Option, Sre } from '../model.ts';
import { layoutCase } from './layout.ts';

type Edit = (c: GreCase) => GreCase | undefined;

const setIp = (c: GreCase, ip: Ipv4Header | Ipv6Header): GreCase => ({ ...c, ip });
const setExt = (c: GreCase, i: number, h: Ipv6ExtHeader): GreCase => ({ ...c, ext: c.ext.map((x, j) => (j === i ? h : x)) });
const setGre = (c: GreCase, gre: GreHeader): GreCase => ({ ...c, gre });

function ipEdits(c: GreCase): Edit[] {
  const ip = c.ip;
  if (ip.family === 4) {
    const edits: Edit[] = (['ihl', 'totalLength', 'protocol', 'checksum'] as const).map((k) => (x) =>
      (x.ip as Ipv4Header)[k] === 'auto' ? undefined : setIp(x, { ...(x.ip as Ipv4Header), [k]: 'auto' }));
    ip.options.forEach((o, i) => {
      if (o.kind === 'tlv' && o.length !== 'auto') edits.push((x) => {
        const h = x.ip as Ipv4Header;
        const options = h.options.map((p, j): Ipv4Option => (j === i && p.kind === 'tlv' ? { ...p, length: 'auto' } : p));
        return setIp(x, { ...h, options });
      });
    });
    return edits;
  }
  return (['payloadLength', 'nextHeader'] as const).map((k) => (x) =>
    (x.ip as Ipv6Header)[k] === 'auto' ? undefined : setIp(x, { ...(x.ip as Ipv6Header), [k]: 'auto' }));
}

function extEdits(c: GreCase): Edit[] {
  const edits: Edit[] = [];
  c.ext.forEach((h, i) => {
    if (h.nextHeader !== 'auto') edits.push((x) => setExt(x, i, { ...x.ext[i]!, nextHeader: 'auto' } as Ipv6ExtHeader));
    if ('length' in h && h.length !== 'auto') edits.push((x) => setExt(x, i, { ...x.ext[i]!, length: 'auto' } as Ipv6ExtHeader));
    if (h.kind === 'hop-by-hop' || h.kind === 'destination') {
      h.options.forEach((o, k) => {
        if (o.kind === 'tlv' && o.length !== 'auto') edits.push((x) => {
          const e = x.ext[i] as Extract<Ipv6ExtHeader, { kind: 'hop-by-hop' | 'destination' }>;
          const options = e.options.map((p, j): Ipv6Option => (j === k && p.kind === 'tlv' ? { ...p, length: 'auto' } : p));
          return setExt(x, i, { ...e, options });
        });
      });
    }
  });
  return edits;
}

function greEdits(c: GreCase): Edit[] {
  const g = c.gre;
  const edits: Edit[] = [];
  if (g.checksum && g.checksum.value !== 'auto') edits.push((x) => setGre(x, { ...x.gre, checksum: { ...x.gre.checksum!, value: 'auto' } }));
  if (typeof g.key === 'object' && g.key.payloadLength !== 'auto') {
    edits.push((x) => setGre(x, { ...x.gre, key: { ...(x.gre.key as Exclude<GreHeader['key'], number | undefined>), payloadLength: 'auto' } }));
  }
  g.routing?.forEach((s, i) => {
    if (s.length !== 'auto') edits.push((x) => setGre(x, { ...x.gre, routing: x.gre.routing!.map((r, j): Sre => (j === i ? { ...r, length: 'auto' } : r)) }));
  });
  return edits;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The case with every explicit field that equals its computed value made 'auto'; same bytes. */
export function withAutoFields(c: GreCase): GreCase {
  let cur = c;
  let bytes = layoutCase(cur).packet;
  // GRE first: its checksum depends on nothing else; the IP checksum comes last (it covers the rest).
  for (const edit of [...greEdits(c), ...extEdits(c), ...ipEdits(c)]) {
    const next = edit(cur);
    if (next === undefined) continue;
    let b: Uint8Array;
    try { b = layoutCase(next).packet; } catch { continue; }
    if (sameBytes(b, bytes)) { cur = next; bytes = b; }
  }
  return cur;
}
