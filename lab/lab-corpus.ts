// The project's own captures (corpus/lab/): real kernel traffic recorded with tcpdump at the
// router of a lab scenario, and beside each capture, for every GRE datagram in it, the tuple the
// router's conntrack built (from gre-recorder.ts, matched by IP id) and the keymap the router had
// then (from the PPTP model; the kernel does not show its keymap). That file, <name>.kernel.ndjson,
// is the pinned truth; <name>.expected.ndjson is the usual pinned file of corpus/ (the oracle's
// answers, written by the corpus tools), which must agree with it.
//
// One line per GRE datagram of the capture, keys in this order:
//   {"index":4,"ipId":7,"what":"host A -> server, key 1","packet":"45..","keymap":[],
//    "kernel":{"outcome":"tracked","direction":"original","tuple":{...}}}
import { readCapture, ipDatagramOf } from '../capture/index.ts';
import { greByHeader } from '../corpus-tools/gre-datagram.ts';
import type { KeymapEntry, Tuple } from '../spec/contract.ts';
import { linuxVerdict, type Outcome } from '../oracles/index.ts';
import { diffAnswers } from '../runner/compare.ts';
import type { GreRecord } from './gre-recorder.ts';

export interface KernelLine {
  readonly index: number;
  readonly ipId: number;
  readonly what: string;
  readonly packet: string;
  readonly keymap: readonly KeymapEntry[];
  readonly kernel: { readonly outcome: Outcome; readonly direction?: 'original' | 'reply'; readonly tuple: Tuple | null };
}

export interface Observed {
  readonly id: number;
  readonly what: string;
  readonly keymap: readonly KeymapEntry[];
  readonly record: GreRecord | undefined;
}

function kernelOf(r: GreRecord | undefined): KernelLine['kernel'] {
  if (!r) return { outcome: 'not-seen', tuple: null };
  if (r.state === 'invalid') return { outcome: 'invalid', tuple: null };
  if (r.state === 'untracked') throw new Error('an untracked datagram has no kernel tuple: record only conntrack\'s variants');
  return { outcome: 'tracked', direction: r.direction!, tuple: r.tuple! };
}

/** The lines of a capture, matching each GRE datagram to what the scenario observed for its IP id. */
export async function kernelLines(capture: string, observed: readonly Observed[]): Promise<KernelLine[]> {
  const byId = new Map(observed.map((o) => [o.id, o]));
  const out: KernelLine[] = [];
  for await (const rec of readCapture(capture)) {
    const d = ipDatagramOf(rec);
    if ('skip' in d || !greByHeader(d.ip) || d.ip[0]! >> 4 !== 4) continue;
    const id = (d.ip[4]! << 8) | d.ip[5]!;
    const o = byId.get(id);
    if (!o) throw new Error(`${capture} record ${rec.index}: GRE datagram with IP id ${id} that the scenario did not send`);
    out.push({ index: rec.index, ipId: id, what: o.what, packet: Buffer.from(d.ip).toString('hex'), keymap: o.keymap, kernel: kernelOf(o.record) });
  }
  return out;
}

export function formatKernelLines(lines: readonly KernelLine[]): string {
  return lines.map((l) => JSON.stringify({
    index: l.index, ipId: l.ipId, what: l.what, packet: l.packet,
    keymap: l.keymap.map((e) => ({ src: e.src, dst: e.dst, dstkey: e.dstkey, srckey: e.srckey })),
    kernel: { outcome: l.kernel.outcome, ...(l.kernel.direction ? { direction: l.kernel.direction } : {}), tuple: l.kernel.tuple },
  }) + '\n').join('');
}

export function parseKernelLines(text: string): KernelLine[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as KernelLine);
}

/** The kernel's pinned answer against the oracle's, with the pinned keymap; undefined when they agree. */
export function kernelVersusOracle(l: KernelLine): string | undefined {
  const v = linuxVerdict(Uint8Array.from(Buffer.from(l.packet, 'hex')), { keymap: l.keymap });
  const fields = diffAnswers(v.tuple, l.kernel.tuple);
  if (fields.length === 0 && (v.outcome === l.kernel.outcome || v.outcome === 'built-unconfirmed')) return undefined;
  return `record ${l.index} (${l.what}): kernel ${l.kernel.outcome} ${JSON.stringify(l.kernel.tuple)}, oracle ${v.outcome} ${JSON.stringify(v.tuple)} [${v.decidedBy}: ${v.reason}]; packet ${l.packet}`;
}
