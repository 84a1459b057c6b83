// Pinned lines against the oracle's answers now: every difference, named by capture, record and
// packet, with the pinned and the current value side by side. Pure.
import { formatExpectedLine, type ExpectedLine } from './expected-file.ts';

export interface PinMismatch {
  readonly capture: string;
  /** Record index in the capture. */
  readonly index: number;
  readonly packet: string;
  /** 'missing': pinned, but no GRE datagram there now; 'unpinned': a GRE datagram with no pinned line. */
  readonly kind: 'changed' | 'missing' | 'unpinned';
  /** Fields that differ (changed only). */
  readonly fields: readonly string[];
  readonly pinned?: string;
  readonly now?: string;
}

const COMPARED = ['offset', 'l2', 'packet', 'wireLength', 'keymap', 'expected', 'outcome', 'rules', 'decidedBy', 'reason'] as const;

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** Differences between the pinned lines of a capture and the lines computed now, by record index. */
export function comparePinned(capture: string, pinned: readonly ExpectedLine[], now: readonly ExpectedLine[]): PinMismatch[] {
  const out: PinMismatch[] = [];
  const nowByIndex = new Map(now.map((l) => [l.index, l]));
  const pinnedIndexes = new Set<number>();
  for (const p of pinned) {
    pinnedIndexes.add(p.index);
    const n = nowByIndex.get(p.index);
    if (!n) {
      out.push({ capture, index: p.index, packet: p.packet, kind: 'missing', fields: [], pinned: formatExpectedLine(p) });
      continue;
    }
    const fields = COMPARED.filter((k) => JSON.stringify(p[k]) !== JSON.stringify(n[k]));
    if (fields.length === 0) continue;
    out.push({
      capture, index: p.index, packet: p.packet, kind: 'changed', fields,
      pinned: fields.map((k) => `${k}=${show(p[k])}`).join(' '),
      now: fields.map((k) => `${k}=${show(n[k])}`).join(' '),
    });
  }
  for (const n of now) {
    if (!pinnedIndexes.has(n.index)) out.push({ capture, index: n.index, packet: n.packet, kind: 'unpinned', fields: [], now: formatExpectedLine(n) });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** One mismatch in words, for test failures and the update script. */
export function formatMismatch(m: PinMismatch): string {
  const head = `${m.capture} record ${m.index} (packet ${m.packet.length > 96 ? m.packet.slice(0, 96) + '...' : m.packet})`;
  switch (m.kind) {
    case 'changed': return `${head}: ${m.fields.join(', ')} changed\n  pinned: ${m.pinned}\n  now:    ${m.now}`;
    case 'missing': return `${head}: pinned, but the record is no longer a GRE datagram\n  pinned: ${m.pinned}`;
    case 'unpinned': return `${head}: a GRE datagram with no pinned line\n  now:    ${m.now}`;
  }
}
