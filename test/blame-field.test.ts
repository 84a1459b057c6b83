// fieldBlame, the fallback when no neutralizer probe settles a failure: which rule owns the field
// the implementation got wrong.
import { describe, expect, it } from 'vitest';
import { fieldBlame } from '../runner/blame.ts';
import { linuxVerdict } from '../oracles/index.ts';

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const V6 = '20010db8000000000000000000000001' + '20010db8000000000000000000000002';
// IPv6, payload length 2, next header 60: two bytes of a Destination Options header (next header
// GRE, 8 bytes long by its length field), cut there. The kernel walks past the end (L3-8E).
const DEST_CUT = fromHex('600000000002' + '3c40' + V6 + '2f00');
// IPv6, next header 51: an AH of 12 bytes (length 1), then two bytes of a Destination Options
// header (next header GRE) that runs past the end.
const AH_THEN_DEST = fromHex('60000000000e' + '3340' + V6 + '3c010000' + '00000100' + '00000001' + '2f00');

describe('fieldBlame on a wrong protocol', () => {
  it('an extension header the kernel skipped, given as the protocol, is put on the rule that skips it', () => {
    const v = linuxVerdict(DEST_CUT);
    expect(v.decidedBy).toBe('L3-8E');
    const wrong = { ...v.tuple!, proto: 60 };
    expect(fieldBlame(v, wrong).rule).toBe('L3-8');
  });

  it('an AH given as the protocol is put on L3-8A', () => {
    const v = linuxVerdict(AH_THEN_DEST);
    expect(v.rules).toContain('L3-8A');
    expect(v.tuple).not.toBeNull();
    expect(fieldBlame(v, { ...v.tuple!, proto: 51 }).rule).toBe('L3-8A');
  });

  it('any other protocol goes to L3-8O or the deciding rule, as before', () => {
    const v = linuxVerdict(DEST_CUT);
    expect(fieldBlame(v, { ...v.tuple!, proto: 17 }).rule).toBe('L3-8E');
  });
});
