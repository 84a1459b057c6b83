// The live kernel as a suite Adapter (runner/adapters/types.ts), for `gre-conformance kernel`.
//
// The lab gives every datagram addresses of its own before injecting it (rewrite.ts), so the
// kernel's tuple names the rewritten addresses. The runner compares answers with the oracle's
// verdict on the datagram *it* sent, so the adapter maps each address of the kernel's tuple
// back: an address equal to the injected datagram's source (destination) becomes the original
// datagram's source (destination). The lab's rewrite keeps the verdict (test/lab-rewrite.test.ts
// checks it as a property), so the kernel's answer for the rewritten datagram is its answer for
// the original. An address of the tuple that is neither (which the kernel never builds) is left
// as the kernel printed it, so it shows up as a disagreement instead of being hidden.
//
// Keymaps: the lab's receiver has an empty PPTP keymap (only the PPTP helper fills one, see
// pptp-lab.ts), so a request with a non-empty keymap cannot be answered: it is refused with a
// LabError (a harness error, exit 3), never answered wrongly. `kernel` runs a keymap-free space.
import { formatIPv4, formatIPv6, parseAddress } from '../spec/address.ts';
import type { Answer, Tuple } from '../spec/contract.ts';
import type { Adapter, CaseRequest } from '../runner/adapters/types.ts';
import { LabError, type KernelObservation, type Lab } from './types.ts';

/** Where the addresses are in an IP datagram: [family, src offset, dst offset, length]. */
function addressSlots(p: Uint8Array): { src: number; dst: number; len: number } | undefined {
  const v = p.length > 0 ? p[0]! >> 4 : -1;
  if (v === 4 && p.length >= 20) return { src: 12, dst: 16, len: 4 };
  if (v === 6 && p.length >= 40) return { src: 8, dst: 24, len: 16 };
  return undefined;
}

function sameAt(addr: Uint8Array, p: Uint8Array, off: number): boolean {
  if (off + addr.length > p.length) return false;
  for (let i = 0; i < addr.length; i++) if (addr[i] !== p[off + i]) return false;
  return true;
}

function textAt(p: Uint8Array, off: number, len: number): string {
  return len === 4 ? formatIPv4(p, off) : formatIPv6(p, off);
}

/** The kernel's answer for `original`, given what it did with the datagram the lab injected. */
export function answerForOriginal(original: Uint8Array, o: KernelObservation): Answer {
  if (o.outcome === 'invalid' || o.outcome === 'not-seen' || o.tuple === null) return null;
  const slots = addressSlots(original);
  if (!slots) return o.tuple;
  const back = (text: string): string => {
    const a = parseAddress(text);
    if (!a || a.length !== slots.len) return text;
    if (sameAt(a, o.sentPacket, slots.src)) return textAt(original, slots.src, slots.len);
    if (sameAt(a, o.sentPacket, slots.dst)) return textAt(original, slots.dst, slots.len);
    return text;
  };
  const t: Tuple = { ...o.tuple, src: back(o.tuple.src), dst: back(o.tuple.dst) };
  return t;
}

export interface KernelAdapterStats {
  /** Datagrams answered by the kernel. */
  packets: number;
  /** Milliseconds spent waiting for the kernel (lab.observe). */
  ms: number;
}

export class KernelAdapter implements Adapter {
  readonly description: string;
  readonly stats: KernelAdapterStats = { packets: 0, ms: 0 };

  constructor(private readonly lab: Lab, kernelRelease: string) {
    this.description = `the live Linux kernel ${kernelRelease} (lab namespaces ${lab.namespaces.tx} -> ${lab.namespaces.rx})`;
  }

  async answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
    const withKeymap = batch.find((r) => r.keymap.length > 0);
    if (withKeymap) {
      throw new LabError(`case ${withKeymap.id} has a PPTP keymap; the lab's kernel has none (only the PPTP helper fills it: gre-conformance lab pptp)`);
    }
    const t0 = performance.now();
    const obs = await this.lab.observe(batch.map((r) => ({ packet: r.packet })));
    this.stats.ms += performance.now() - t0;
    this.stats.packets += batch.length;
    return obs.map((o, i) => answerForOriginal(batch[i]!.packet, o));
  }

  async close(): Promise<void> {
    await this.lab.close();
  }
}
