// NEUTRALIZERS (generators/neutralize.ts): for a case that exercises rule R, the case without R's
// feature. Checked against the Linux oracle over the default mix: the oracle no longer lists R,
// and the answer stays the same wherever R (or a rule the removed bytes also drove) did not
// decide it. Preconditions name the lies a neutralizer leaves alone on purpose.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCase, greCase, NEUTRALIZERS, type GreCase } from '../generators/index.ts';
import { layoutCase } from '../generators/_internals/layout.ts';
import { linuxVerdict, type Verdict } from '../oracles/index.ts';
import type { RuleId } from '../spec/rules.ts';

const verdictOf = (c: GreCase): Verdict => {
  const { packet, keymap } = encodeCase(c);
  return linuxVerdict(packet, { keymap });
};

const cases = fc.sample(greCase(), { numRuns: 10_000, seed: 4242 });
const verdicts = cases.map(verdictOf);

const EXT_TYPES = new Set([0, 43, 44, 51, 60]);

/** No IP or extension length field that lies, no cut that leaves the lengths counting cut bytes. */
function honestLengths(c: GreCase): boolean {
  const ip = c.ip;
  const ipOk = ip.family === 4 ? ip.ihl === 'auto' && ip.totalLength === 'auto' : ip.payloadLength === 'auto';
  return ipOk && c.truncate?.lengths !== 'before' && c.ext.every((h) => !('length' in h) || h.length === 'auto');
}

/** No explicit next header that promises an extension header (GRE's bytes would play it). */
function noPromises(c: GreCase): boolean {
  const nh = c.ip.family === 6 ? c.ip.nextHeader : 'auto';
  return [nh, ...c.ext.map((h) => h.nextHeader)].every((x) => x === 'auto' || !EXT_TYPES.has(x));
}

const ihlHonest = (c: GreCase) => c.ip.family !== 4 || c.ip.ihl === 'auto';

/** Nothing that makes other bytes play GRE's: lengths, IHL and next headers as they should be. */
const honest = (c: GreCase) => honestLengths(c) && noPromises(c);

const greOffset = (c: GreCase) => layoutCase(c).greOffset;

/** A chain as RFC 8200 4.1 orders it: honest lengths, no promises, Hop-by-Hop only first (dropping what precedes a later one would move it to the front, where ip6_rcv_core parses it). */
const orderlyChain = (c: GreCase) => honestLengths(c) && noPromises(c) && c.ext.every((h, i) => i === 0 || h.kind !== 'hop-by-hop');

/** When the neutralized case must no longer exercise R (other lies can recreate R's feature from other bytes). */
const REMOVES_WHEN: { readonly [R in RuleId]?: (c: GreCase, v: Verdict) => boolean } = {
  'L3-5': ihlHonest,
  'L3-6H': (c) => honestLengths(c) && !(c.truncate && c.truncate.keep < 0),
  'L3-7': orderlyChain,
  'L3-8': orderlyChain,
  'L3-8A': orderlyChain,
  'L3-8F': orderlyChain,
  'L3-8O': (c) => honestLengths(c),
  'GRE-1': (_c, v) => !v.rules.includes('L3-6T') && !v.rules.includes('L3-8E'),
  'GRE-2': (c) => c.gre.flags.version === 1 && honest(c), // other versions stay "not 1": see the GRE-2 test
  'GRE-3': (c) => honest(c) && encodeCase({ ...c, truncate: null }).packet.length - c.trailer.length >= greOffset(c) + 8,
  'GRE-4': honest,
  'GRE-7': honest,
};

/** Rules whose decision the neutralizer may change besides R: what the removed bytes also drove. */
const WALK: readonly RuleId[] = ['L3-6', 'L3-6H', 'L3-6T', 'L3-7', 'L3-8', 'L3-8A', 'L3-8F', 'L3-8N', 'L3-8S', 'L3-8O', 'L3-8E'];
const ALSO_DECIDES: { readonly [R in RuleId]?: readonly RuleId[] } = {
  'L3-7': WALK, 'L3-8': WALK, 'L3-8A': WALK, 'L3-8F': WALK,
  'GRE-6': ['KM-2', 'KM-3'],
};

/** Neutralizers that change lengths before or inside GRE, which nf_ct_frag6_gather looks at (L3-7). */
const MOVES_LENGTHS = new Set<RuleId>(['L3-7', 'L3-8', 'L3-8A', 'L3-8F', 'L3-6H', 'GRE-7']);

const entries = Object.entries(NEUTRALIZERS) as [RuleId, (c: GreCase) => GreCase | undefined][];

function exercising(rule: RuleId): [GreCase, Verdict][] {
  const out: [GreCase, Verdict][] = [];
  cases.forEach((c, i) => { if (verdicts[i]!.rules.includes(rule)) out.push([c, verdicts[i]!]); });
  return out;
}

describe('NEUTRALIZERS', () => {
  it('covers at least the rules the runner blames most (brief list)', () => {
    const want: RuleId[] = ['L3-4', 'L3-5', 'L3-2T', 'L3-6T', 'L3-8', 'L3-8A', 'L3-8F', 'L3-7', 'GRE-2', 'GRE-7', 'GRE-6', 'KM-2', 'KM-3'];
    for (const r of want) expect(NEUTRALIZERS[r], r).toBeTypeOf('function');
  });

  it.each(entries)('%s: the neutralized case no longer exercises the rule', (rule, neutralize) => {
    const seen = exercising(rule);
    expect(seen.length, `${rule} is exercised in the sample`).toBeGreaterThan(20);
    const when = REMOVES_WHEN[rule] ?? (() => true);
    let checked = 0;
    for (const [c, v] of seen) {
      if (!when(c, v)) continue;
      const n = neutralize(c);
      if (n === undefined) continue;
      checked++;
      expect(verdictOf(n).rules, `${rule} still exercised`).not.toContain(rule);
    }
    expect(checked, `${rule}: neutralized cases checked`).toBeGreaterThan(10);
  });

  it.each(entries)('%s: the answer is kept where the rule did not decide it', (rule, neutralize) => {
    const also = new Set<RuleId>([rule, ...(ALSO_DECIDES[rule] ?? [])]);
    const when = REMOVES_WHEN[rule] ?? (() => true);
    for (const [c, v] of exercising(rule)) {
      if (also.has(v.decidedBy) || !ihlHonest(c) || !when(c, v)) continue;
      if (MOVES_LENGTHS.has(rule) && v.rules.includes('L3-7')) continue;
      const n = neutralize(c);
      if (n === undefined) continue;
      // GRE-8's probe drops the IPv6 chain and trimming too: only a plain IPv6 path compares.
      if (rule === 'GRE-8' && v.rules.some((r) => /^L3-[678]/.test(r))) continue;
      const t = verdictOf(n).tuple;
      // GRE-8's probe carries the same GRE in IPv4: the addresses change by design, the keys may not.
      if (rule === 'GRE-8') expect(t && { ...t, src: '', dst: '' }, rule).toEqual(v.tuple && { ...v.tuple, src: '', dst: '' });
      else expect(t, rule).toEqual(v.tuple);
    }
  });

  it('GRE-2: versions 2..7 become a plain version 0 and version 1 loses only the 0x00F8 bits', () => {
    for (const [c] of exercising('GRE-2')) {
      const n = NEUTRALIZERS['GRE-2']!(c);
      if (n === undefined) {
        // Already plain: GRE-2 came from other bytes read as flags (an IHL or length that lies).
        const f = c.gre.flags;
        if (f.version === 1) expect(f.a || f.reserved !== 0).toBe(false);
        else expect(f).toEqual({ c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 });
        continue;
      }
      const f = n.gre.flags;
      expect(f.a || f.reserved !== 0).toBe(false);
      if (c.gre.flags.version === 1) expect({ ...f, a: c.gre.flags.a, reserved: c.gre.flags.reserved }).toEqual(c.gre.flags);
      else expect(f).toEqual({ c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 });
    }
  });

  it('returns undefined when the case does not have the feature', () => {
    const plain = cases.find((c) => c.ip.family === 4 && c.ip.options.length === 0 && c.ip.ihl === 'auto' && c.keymap.length === 0 && c.trailer.length === 0)!;
    expect(plain).toBeDefined();
    for (const r of ['L3-4', 'L3-5', 'L3-7', 'L3-8', 'L3-8A', 'L3-8F', 'GRE-6', 'KM-2', 'KM-3'] as const) expect(NEUTRALIZERS[r]!(plain), r).toBeUndefined();
  });

  it('keeps lengths and checksums consistent: the neutralized IPv4 header of an honest case still passes L3-2', () => {
    for (const [rule, neutralize] of entries) {
      for (const [c, v] of exercising(rule)) {
        if (v.rules.includes('L3-2') || !honestLengths(c) || c.ip.family !== 4 || c.ip.checksum !== 'auto') continue;
        if (c.truncate && c.truncate.keep < 0) continue;
        const n = neutralize(c);
        if (n === undefined || rule === 'L3-2') continue;
        expect(verdictOf(n).rules, rule).not.toContain('L3-2');
      }
    }
  });
});
