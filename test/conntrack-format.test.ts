// CT-3: entries print as /proc/net/nf_conntrack and `conntrack -L` show them (reference sheet,
// section 4): keys with %x on host order (lowercase, no padding), IPv6 expanded in /proc and
// compressed by conntrack -L, `unknown` for the generic tracker.
import { describe, expect, it } from 'vitest';
import { formatConntrackL, formatProcConntrack } from '../oracles/index.ts';
import type { Tuple } from '../spec/contract.ts';

const A = '192.0.2.1';
const B = '192.0.2.2';
const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const gre = (src: string, dst: string, srckey: number, dstkey: number): Tuple => ({ src, dst, proto: 47, srckey, dstkey });

describe('/proc/net/nf_conntrack (CT-3)', () => {
  it('prints an unreplied IPv4 GRE entry like the sheet', () => {
    expect(formatProcConntrack(gre(A, B, 0, 0x4321), { timeout: 29 })).toBe(
      'ipv4     2 gre      47 29 timeout=30, stream_timeout=180 src=192.0.2.1 dst=192.0.2.2 srckey=0x0 dstkey=0x4321 ' +
      '[UNREPLIED] src=192.0.2.2 dst=192.0.2.1 srckey=0x4321 dstkey=0x0 mark=0 zone=0 use=2');
  });

  it('expands IPv6 addresses fully', () => {
    expect(formatProcConntrack(gre(A6, B6, 0, 0x6161), { timeout: 29 })).toBe(
      'ipv6     10 gre      47 29 timeout=30, stream_timeout=180 ' +
      'src=2001:0db8:0000:0000:0000:0000:0000:0001 dst=2001:0db8:0000:0000:0000:0000:0000:0002 srckey=0x0 dstkey=0x6161 ' +
      '[UNREPLIED] src=2001:0db8:0000:0000:0000:0000:0000:0002 dst=2001:0db8:0000:0000:0000:0000:0000:0001 srckey=0x6161 dstkey=0x0 ' +
      'mark=0 zone=0 use=2');
  });

  it('prints keys lowercase without padding, an assured entry without [UNREPLIED]', () => {
    expect(formatProcConntrack(gre(A, B, 0x0a0a, 0x0b0b), { timeout: 179, unreplied: false, assured: true })).toBe(
      'ipv4     2 gre      47 179 timeout=30, stream_timeout=180 src=192.0.2.1 dst=192.0.2.2 srckey=0xa0a dstkey=0xb0b ' +
      'src=192.0.2.2 dst=192.0.2.1 srckey=0xb0b dstkey=0xa0a [ASSURED] mark=0 zone=0 use=2');
  });
});

describe('conntrack -L (CT-3)', () => {
  it('prints an IPv4 GRE entry with the reply tuple swapped', () => {
    expect(formatConntrackL(gre(A, B, 0, 0x4321))).toBe(
      'gre      47 29 src=192.0.2.1 dst=192.0.2.2 srckey=0x0 dstkey=0x4321 ' +
      '[UNREPLIED] src=192.0.2.2 dst=192.0.2.1 srckey=0x4321 dstkey=0x0 mark=0 use=1');
  });

  it('prints the keymap-matched entry of K1 as observed', () => {
    expect(formatConntrackL(gre(A, B, 0x0a0a, 0x0b0b))).toContain('src=192.0.2.1 dst=192.0.2.2 srckey=0xa0a dstkey=0xb0b');
  });

  it('keeps IPv6 compressed', () => {
    expect(formatConntrackL(gre(A6, B6, 0, 0x6161))).toBe(
      'gre      47 29 src=2001:db8::1 dst=2001:db8::2 srckey=0x0 dstkey=0x6161 ' +
      '[UNREPLIED] src=2001:db8::2 dst=2001:db8::1 srckey=0x6161 dstkey=0x0 mark=0 use=1');
  });

  it('prints keys with %x: no padding, lowercase, up to 0xffff', () => {
    for (const [key, text] of [[0, '0x0'], [0x102, '0x102'], [0xbeef, '0xbeef'], [0xffff, '0xffff'], [0x0808, '0x808']] as const) {
      expect(formatConntrackL(gre(A, B, 0, key))).toContain(`srckey=0x0 dstkey=${text} [UNREPLIED]`);
    }
  });

  it('prints the generic tracker as unknown with no keys', () => {
    expect(formatConntrackL({ src: A6, dst: B6, proto: 50, srckey: 0, dstkey: 0 })).toBe(
      'unknown  50 599 src=2001:db8::1 dst=2001:db8::2 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 mark=0 use=1');
  });

  it('prints an assured entry with its remaining timeout', () => {
    expect(formatConntrackL(gre(A, B, 0, 0), { timeout: 179, unreplied: false, assured: true })).toBe(
      'gre      47 179 src=192.0.2.1 dst=192.0.2.2 srckey=0x0 dstkey=0x0 src=192.0.2.2 dst=192.0.2.1 srckey=0x0 dstkey=0x0 [ASSURED] mark=0 use=1');
  });
});
