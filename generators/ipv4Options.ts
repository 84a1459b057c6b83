// The options area of an IPv4 header: up to 40 bytes (IHL 15), RFC 791 section 3.1.
import fc from 'fast-check';
import type { Ipv4Option } from './model.ts';
import { encodeIpv4Options } from './_internals/encodeIpv4Options.ts';
import { ipv4Option } from './_internals/ipv4OptionArbs.ts';
import { arrayUpTo, mapExact } from './_internals/arb.ts';

export interface Ipv4OptionsConstraints {
  /** Most options generated (default 3). */
  readonly maxOptions?: number;
}

/** Options that fit the 40 bytes IHL can describe; later options that would not fit are dropped. */
export function ipv4Options(c: Ipv4OptionsConstraints = {}): fc.Arbitrary<Ipv4Option[]> {
  return mapExact(
    arrayUpTo(ipv4Option, c.maxOptions ?? 3, 40),
    (opts) => {
      const kept: Ipv4Option[] = [];
      for (const o of opts) {
        kept.push(o);
        if (encodeIpv4Options(kept).length > 40) { kept.pop(); break; }
      }
      return kept;
    },
    (v) => {
      if (!Array.isArray(v)) throw new Error('not options');
      return v as Ipv4Option[];
    },
  );
}
