// Shape checks for what implementations return (CONTRACT.md sections 1 and 6). A value that
// fails here is a malformed answer (the implementation misbehaved), not a wrong answer.
import { parseAddress } from './address.ts';
import type { Answer, KeymapEntry } from './contract.ts';

/** Why `x` is not a valid answer, or undefined when it is one. */
export function answerShapeError(x: unknown): string | undefined {
  if (x === null) return undefined;
  if (typeof x !== 'object' || Array.isArray(x)) return `the answer must be null or a tuple object, got ${describe(x)}`;
  const t = x as Record<string, unknown>;
  for (const k of ['src', 'dst'] as const) {
    if (typeof t[k] !== 'string') return `tuple.${k} must be an address as text, got ${describe(t[k])}`;
    if (!parseAddress(t[k] as string)) return `tuple.${k} ${JSON.stringify(t[k])} is not an IPv4 or IPv6 address`;
  }
  if (!Number.isInteger(t.proto) || (t.proto as number) < 0 || (t.proto as number) > 255) return `tuple.proto must be an integer 0..255, got ${describe(t.proto)}`;
  for (const k of ['srckey', 'dstkey'] as const) {
    const v = t[k];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffff) return `tuple.${k} must be an integer 0..65535, got ${describe(v)}`;
  }
  return undefined;
}

/** Copies only the contract's fields, so extra properties never leak into comparisons. */
export function toAnswer(x: unknown): Answer {
  if (x === null) return null;
  const t = x as Record<string, unknown>;
  return { src: t.src as string, dst: t.dst as string, proto: t.proto as number, srckey: t.srckey as number, dstkey: t.dstkey as number };
}

export function keymapShapeError(x: unknown): string | undefined {
  if (!Array.isArray(x)) return `keymap must be an array, got ${describe(x)}`;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] as Partial<KeymapEntry> | null;
    if (!e || typeof e !== 'object') return `keymap[${i}] must be an object`;
    const s = parseAddress(e.src as string), d = parseAddress(e.dst as string);
    if (!s || !d || s.length !== d.length) return `keymap[${i}]: src and dst must be addresses of one family`;
    for (const k of ['dstkey', 'srckey'] as const) {
      const v = e[k];
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffff) return `keymap[${i}].${k} must be an integer 0..65535`;
    }
  }
  return undefined;
}

function describe(x: unknown): string {
  if (x === undefined) return 'undefined';
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}
