// How the kernel lab ties the receiver's records to datagrams (lab/attribute.ts), on synthetic
// records: no root needed. The live tests rarely reach the fallbacks checked here.
import { describe, expect, it } from 'vitest';
import { attributeAlone, attributeBatch, recordsOf } from '../lab/attribute.ts';
import type { TableEntry } from '../lab/conntrack-table.ts';
import type { Listing } from '../lab/nft-text.ts';
import { CANARY_KEY, SENTINEL_KEY } from '../lab/own-packets.ts';
import type { Prepared } from '../lab/rewrite.ts';
import { LabError } from '../lab/types.ts';

const entry = (src: string, dstkey = 0): TableEntry => ({ src, dst: '192.0.2.2', proto: 47, srckey: 0, dstkey, line: `gre src=${src}` });
const own = (): [string, TableEntry[]][] => [[SENTINEL_KEY, [entry(SENTINEL_KEY)]], [CANARY_KEY, [entry(CANARY_KEY)]]];

function listing(sets: Record<string, string[]>, maps: Record<string, [string, string][]> = {}, delivered?: number): Listing {
  const elements = new Map<string, Map<string, string>>();
  for (const [name, keys] of Object.entries(sets)) elements.set(name, new Map(keys.map((k) => [k, ''])));
  for (const [name, kv] of Object.entries(maps)) elements.set(name, new Map(kv));
  return { elements, counters: new Map(delivered === undefined ? [] : [['delivered', delivered]]) };
}

const item = (key: string | undefined): Prepared => ({ sent: Uint8Array.of(0x45), key, unique: key !== undefined });

describe('lab attribution', () => {
  it('maps each record kind to its outcome by source', () => {
    const table = new Map([...own(), ['10.0.0.1', [entry('10.0.0.1', 0x4321)]]]);
    const rec = recordsOf(listing({ inv4: ['10.0.0.2'], pend4: ['10.0.0.3', SENTINEL_KEY] }, {}, 3), table);
    const [a, b, c, d] = attributeBatch([item('10.0.0.1'), item('10.0.0.2'), item('10.0.0.3'), item('10.0.0.4')], rec);
    expect(a).toMatchObject({ outcome: 'tracked', tuple: { src: '10.0.0.1', dst: '192.0.2.2', proto: 47, srckey: 0, dstkey: 0x4321 } });
    expect(b).toMatchObject({ outcome: 'invalid', tuple: null });
    expect(c).toMatchObject({ outcome: 'built-unconfirmed', tuple: null });
    expect(d).toMatchObject({ outcome: 'not-seen', tuple: null });
    expect(rec.anomalies).toEqual([]);
  });

  it('reads a built-unconfirmed tuple from the second pass maps, in the contract\'s spelling', () => {
    const k = '2001:0db8:0002:0000:0000:0000:0000:0001';
    const rec = recordsOf(listing({ pend6: [k] }, {
      t6p: [[k, '47']], t6s: [[k, '0x0 [invalid type]']], t6d: [[k, '0x3434 [invalid type]']], t6a: [[k, 'ff0e::1']],
    }, 2), new Map(own()));
    expect(attributeBatch([item(k)], rec)[0]).toMatchObject({
      outcome: 'built-unconfirmed', tuple: { src: '2001:db8:2::1', dst: 'ff0e::1', proto: 47, srckey: 0, dstkey: 0x3434 },
    });
  });

  it('sends a datagram nothing names again alone when a record names no datagram, and says so otherwise', () => {
    const rec = recordsOf(listing({ inv6: ['0000:0000:0000:0000:0000:0000:0000:0001'] }, {}, 2), new Map(own()));
    const r = attributeBatch([item(undefined), item('10.0.0.9')], rec);
    expect(r[0]).toBeUndefined();
    expect(r[1]).toMatchObject({ outcome: 'not-seen' });
    const clean = recordsOf(listing({}, {}, 2), new Map(own()));
    expect(attributeBatch([item(undefined)], clean)[0]).toMatchObject({ outcome: 'not-seen' });
    const stray = recordsOf(listing({ inv4: ['10.9.9.9'] }, {}, 2), new Map(own()));
    attributeBatch([item('10.0.0.9')], stray);
    expect(stray.anomalies.join()).toContain('10.9.9.9');
  });

  it('a key two datagrams of the batch share names neither', () => {
    const k = 'ff02:0000:0000:0000:0000:0000:0000:0001';
    const rec = recordsOf(listing({ inv6: [k] }, {}, 2), new Map(own()));
    expect(attributeBatch([item(k), item(k)], rec)).toEqual([undefined, undefined]);
    expect(attributeAlone(item(k), rec)).toMatchObject({ outcome: 'invalid' });
  });

  it('refuses a batch whose canary was not tracked: IPv6 reassembly memory is full', () => {
    expect(() => recordsOf(listing({}), new Map([[SENTINEL_KEY, [entry(SENTINEL_KEY)]]]))).toThrow(LabError);
  });

  it('notes a new datagram that reached input without leaving an entry', () => {
    const rec = recordsOf(listing({}, {}, 3), new Map(own()));
    expect(rec.anomalies).toEqual(['3 new datagrams reached input but the table holds 2 entries']);
  });
});
