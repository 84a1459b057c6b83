// Which records of a capture are GRE datagrams, and what the kernel answers for one that the
// snapshot length may have cut. Pure: no I/O.
import type { KeymapEntry } from '../spec/contract.ts';
import { linuxVerdict, type Verdict } from '../oracles/index.ts';

/**
 * GRE by the IP header alone, independent of the oracle: IPv4 protocol 47, or an IPv6 chain of
 * Hop-by-Hop, Routing, Destination Options, Fragment and AH headers that ends at 47. Every read
 * is bounds-checked; a chain that leaves the captured bytes is not GRE.
 */
export function greByHeader(ip: Uint8Array): boolean {
  return greOffset(ip) !== undefined;
}

/**
 * True for a fragment other than the first (IPv4 fragment offset, or the first IPv6 Fragment
 * header's offset, not 0): the bytes after its headers are the middle of a payload, not GRE.
 */
export function nonFirstFragment(ip: Uint8Array): boolean {
  const at = (i: number): number | undefined => (i >= 0 && i < ip.length ? ip[i] : undefined);
  const version = (at(0) ?? 0) >> 4;
  if (version === 4) return (((at(6) ?? 0) & 0x1f) << 8 | (at(7) ?? 0)) !== 0;
  if (version !== 6) return false;
  let nh = at(6);
  let off = 40;
  for (let hops = 0; nh !== undefined && hops < 32; hops++) {
    const next = at(off);
    const len = at(off + 1);
    if (next === undefined || len === undefined) return false;
    if (nh === 44) return ((((at(off + 2) ?? 0) << 8) | (at(off + 3) ?? 0)) & 0xfff8) !== 0;
    if (nh === 0 || nh === 43 || nh === 60) off += (len + 1) * 8;
    else if (nh === 51) off += (len + 2) * 4;
    else return false;
    nh = next;
  }
  return false;
}

/** Where the GRE header starts when the IP header (chain) says GRE, else undefined. */
export function greOffset(ip: Uint8Array): number | undefined {
  const at = (i: number): number | undefined => (i >= 0 && i < ip.length ? ip[i] : undefined);
  const version = (at(0) ?? 0) >> 4;
  if (version === 4) return at(9) === 47 ? (at(0)! & 0x0f) * 4 : undefined;
  if (version !== 6) return undefined;
  let nh = at(6);
  let off = 40;
  for (let hops = 0; nh !== undefined && hops < 32; hops++) {
    if (nh === 47) return off;
    const next = at(off);
    const len = at(off + 1);
    if (next === undefined || len === undefined) return undefined;
    if (nh === 0 || nh === 43 || nh === 60) off += (len + 1) * 8;
    else if (nh === 44) off += 8;
    else if (nh === 51) off += (len + 2) * 4;
    else return undefined;
    nh = next;
  }
  return undefined;
}

/** The oracle's verdict when the bytes it reads were captured, or why it cannot be known. */
export type CapturedVerdict =
  | { readonly known: true; readonly verdict: Verdict }
  /** `needed`: one past the highest byte read (with the missing bytes taken as zeros). */
  | { readonly known: false; readonly reason: string; readonly needed: number };

/**
 * The kernel's verdict on a datagram of `wireLength` bytes of which the capture kept `ip`
 * (`ip.length < wireLength` when the snapshot length cut it). The oracle runs on the captured
 * bytes followed by zeros up to the wire length, with every byte read recorded: if no read
 * reached past the captured bytes, every completion takes the same path and gets the same
 * answer, so the answer is known. Otherwise it cannot be known and nothing is guessed.
 */
export function capturedVerdict(ip: Uint8Array, wireLength: number, keymap: readonly KeymapEntry[] = []): CapturedVerdict {
  if (wireLength <= ip.length) return { known: true, verdict: linuxVerdict(ip, { keymap }) };
  const whole = new Uint8Array(wireLength);
  whole.set(ip);
  const reads = { max: -1, firstMissing: -1, captured: ip.length };
  const verdict = linuxVerdict(tracked(whole, reads), { keymap });
  if (reads.max < ip.length) return { known: true, verdict };
  return {
    known: false,
    needed: reads.max + 1,
    reason: `the snapshot length kept ${ip.length} of the datagram's ${wireLength} bytes and the kernel reads byte ${reads.firstMissing}: the answer cannot be known`,
  };
}

/**
 * A view of `b` that records the highest index read. Methods run on the real array; one that
 * copies or views a range (subarray, slice) counts as reading all of it, any other as reading
 * everything (an over-approximation: it can only make an answer unknown, never wrong).
 */
function tracked(b: Uint8Array, reads: { max: number; firstMissing: number; readonly captured: number }): Uint8Array {
  const note = (i: number) => {
    if (i >= b.length) return;
    if (i > reads.max) reads.max = i;
    if (i >= reads.captured && reads.firstMissing < 0) reads.firstMissing = i;
  };
  return new Proxy(b, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        note(Number(prop));
        return target[Number(prop)];
      }
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      if (prop === 'subarray' || prop === 'slice') {
        return (start = 0, end = target.length) => {
          const s = start < 0 ? Math.max(0, target.length + start) : start;
          const e = end < 0 ? target.length + end : Math.min(end, target.length);
          if (e > s) { note(s); note(e - 1); }
          return (target[prop] as (s: number, e: number) => Uint8Array)(start, end);
        };
      }
      return (...args: unknown[]) => {
        note(0);
        note(target.length - 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
