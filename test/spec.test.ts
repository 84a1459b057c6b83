// The vector catalogue itself: every rule has at least two vectors, every cited rule exists,
// every packet is well-formed hex, ids are unique, and every live row of the reference is there.
// Nothing here runs the oracle (test/oracle.test.ts does).
import { describe, expect, it } from 'vitest';
import { RULE_IDS, isRuleId } from '../spec/rules.ts';
import { VECTORS, vectorBytes, vectorCases, vectorsByRule, type Vector } from '../spec/vectors.ts';
import { answerShapeError, keymapShapeError } from '../spec/answer-shape.ts';
import { parseAddress } from '../spec/address.ts';

/** Single-datagram rows of section 8 of the reference sheet; each must be cited by a vector. */
const LIVE_ROWS = [
  ...Array.from({ length: 21 }, (_, i) => `G${String(i + 1).padStart(2, '0')}`),
  'L01', 'L02', 'L03b', 'L04', 'L05', 'L06', 'L07', 'L08', 'L09', 'L10', 'L11', 'L13', 'L14', 'L16',
  ...Array.from({ length: 25 }, (_, i) => `V${String(i + 1).padStart(2, '0')}`).filter((r) => r !== 'V23'),
  'K1', 'K2', 'K3', 'K4', 'K5', 'K6',
];

/** One's-complement sum over the IPv4 header, computed here so this file does not lean on the oracle. */
function ipv4HeaderSumOk(b: Uint8Array): boolean {
  const hlen = (b[0]! & 0x0f) * 4;
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

describe('vector catalogue', () => {
  it('every rule of the registry has at least 2 vectors', () => {
    const byRule = vectorsByRule();
    const thin = RULE_IDS.filter((id) => (byRule.get(id)?.length ?? 0) < 2);
    expect(thin).toEqual([]);
  });

  it('every rule ID a vector cites exists, also once the catalogue went through JSON', () => {
    const plain = JSON.parse(JSON.stringify(VECTORS)) as { id: string; rules: string[]; boundaryOf?: string[] }[];
    const unknown = plain.flatMap((v) => [...v.rules, ...(v.boundaryOf ?? [])].filter((r) => !isRuleId(r)).map((r) => `${v.id}: ${r}`));
    expect(unknown).toEqual([]);
    for (const v of plain) expect(v.rules.length, v.id).toBeGreaterThan(0);
  });

  it('a vector never cites a rule both as exercised and as its boundary', () => {
    const both = VECTORS.filter((v) => (v.boundaryOf ?? []).some((r) => v.rules.includes(r))).map((v) => v.id);
    expect(both).toEqual([]);
  });

  it('ids are unique descriptive kebab-case', () => {
    const ids = VECTORS.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+){2,}$/);
  });

  it('every packet is lowercase hex of whole bytes', () => {
    for (const v of VECTORS) {
      expect(v.packet, v.id).toMatch(/^(?:[0-9a-f]{2})*$/);
      expect(vectorBytes(v).length, v.id).toBe(v.packet.length / 2);
    }
  });

  it('IPv4 headers that reach conntrack carry a correct checksum', () => {
    for (const v of VECTORS) {
      const b = vectorBytes(v);
      if (v.expect.outcome === 'not-seen' || b[0]! >> 4 !== 4) continue;
      expect(ipv4HeaderSumOk(b), v.id).toBe(true);
    }
  });

  it('expectations are well-formed answers', () => {
    for (const v of VECTORS) {
      const answered = v.expect.outcome === 'tracked' || v.expect.outcome === 'built-unconfirmed';
      expect(v.expect.tuple === null, v.id).toBe(!answered);
      expect(answerShapeError(v.expect.tuple), v.id).toBeUndefined();
      if (v.keymap) expect(keymapShapeError(v.keymap), v.id).toBeUndefined();
      if (v.expectReply) expect(answerShapeError(v.expectReply), v.id).toBeUndefined();
    }
  });

  it('the tuple family matches the IP version of the packet', () => {
    for (const v of VECTORS) {
      if (!v.expect.tuple) continue;
      const version = vectorBytes(v)[0]! >> 4;
      expect(parseAddress(v.expect.tuple.src)?.length, v.id).toBe(version === 4 ? 4 : 16);
      expect(parseAddress(v.expect.tuple.dst)?.length, v.id).toBe(version === 4 ? 4 : 16);
    }
  });

  it('CT-1 vectors state the reply tuple, and only answered vectors have one', () => {
    for (const v of VECTORS) {
      if (v.rules.includes('CT-1')) expect(v.expectReply, v.id).toBeDefined();
      if (v.expectReply) expect(v.expect.tuple, v.id).not.toBeNull();
    }
  });

  it('every single-datagram live row of the reference sheet is a vector', () => {
    const cited = (row: string) => VECTORS.some((v: Vector) => new RegExp(`\\b${row}\\b`).test(v.source ?? ''));
    expect(LIVE_ROWS.filter((row) => !cited(row))).toEqual([]);
  });

  it('vectorsByRule lists each vector under each of its rules once', () => {
    const byRule = vectorsByRule();
    expect([...byRule.keys()]).toEqual(RULE_IDS);
    for (const v of VECTORS) for (const r of v.rules) expect(byRule.get(r)!.filter((x) => x === v).length, `${v.id} ${r}`).toBe(1);
  });

  it('vectorCases pins each vector\'s answer: the tuple, or null', () => {
    const cases = vectorCases();
    expect(cases.map((c) => c.id)).toEqual(VECTORS.map((v) => v.id));
    cases.forEach((c, i) => expect(c.expect).toEqual(VECTORS[i]!.expect.tuple));
  });
});
