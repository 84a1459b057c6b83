// pcapng timestamps: a 64-bit count of units, the unit given by the interface's if_tsresol
// option (pcapng spec, section 4.2: high bit clear = 10^-n s, set = 2^-n s; default 10^-6)
// and shifted by if_tsoffset seconds.
import type { Timestamp } from '../record.ts';

export interface TsUnit {
  readonly binary: boolean;
  readonly exp: number;
  readonly offsetSeconds: bigint;
  readonly label: string;
}

export const MICROSECONDS: TsUnit = unitOf(6, 0n);

export function unitOf(tsresol: number, offsetSeconds: bigint): TsUnit {
  const binary = (tsresol & 0x80) !== 0;
  const exp = tsresol & 0x7f;
  return { binary, exp, offsetSeconds, label: binary ? `2^-${exp}` : `1e-${exp}` };
}

const NS = 1_000_000_000;
const TWO32 = 4294967296;

/** Converts hi:lo units to seconds and nanoseconds (rounded down). */
export function toTimestamp(hi: number, lo: number, u: TsUnit): Timestamp {
  // Fast path: decimal units up to ns, no offset, and a count below 2^53 (exact as a double).
  if (!u.binary && u.exp <= 9 && u.offsetSeconds === 0n && hi < 0x200000) {
    const ticks = hi * TWO32 + lo;
    const perSec = 10 ** u.exp;
    const seconds = Math.floor(ticks / perSec);
    return { seconds, nanoseconds: (ticks - seconds * perSec) * 10 ** (9 - u.exp) };
  }
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  let seconds: bigint;
  let nanos: bigint;
  if (u.binary) {
    const e = BigInt(u.exp);
    seconds = ticks >> e;
    nanos = ((ticks & ((1n << e) - 1n)) * BigInt(NS)) >> e;
  } else {
    const perSec = 10n ** BigInt(u.exp);
    seconds = ticks / perSec;
    const frac = ticks % perSec;
    nanos = u.exp <= 9 ? frac * 10n ** BigInt(9 - u.exp) : frac / 10n ** BigInt(u.exp - 9);
  }
  return { seconds: Number(seconds + u.offsetSeconds), nanoseconds: Number(nanos) };
}
