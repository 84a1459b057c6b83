import { formatIPv4, formatIPv6 } from '../../spec/address.ts';
const DEC: string[] = Array.from({ length: 256 }, (_, i) => String(i));
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function f4(b: Uint8Array, off: number): string {
  return DEC[b[off]!] + '.' + DEC[b[off + 1]!] + '.' + DEC[b[off + 2]!] + '.' + DEC[b[off + 3]!];
}
const W = new Int32Array(8);
function hexWord(w: number): string { const hi = w >> 8; return hi === 0 ? HEX[w & 0xff]! : HEX[hi]! + HEX2[w & 0xff]!; }
function f6(b: Uint8Array, off: number): string {
  for (let i = 0; i < 8; i++) W[i] = ((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0);
  if (W[0] === 0 && W[1] === 0 && W[2] === 0 && W[3] === 0 && W[4] === 0 && W[5] === 0xffff) return '::ffff:' + f4(b, off + 12);
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (W[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && W[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let s = '';
  if (bestStart < 0) { s = hexWord(W[0]!); for (let i = 1; i < 8; i++) s += ':' + hexWord(W[i]!); return s; }
  for (let i = 0; i < bestStart; i++) s += (i > 0 ? ':' : '') + hexWord(W[i]!);
  s += '::';
  for (let i = bestStart + bestLen; i < 8; i++) s += (i > bestStart + bestLen ? ':' : '') + hexWord(W[i]!);
  return s;
}
// random addresses
const N = 1 << 16;
const buf = new Uint8Array(N * 16 + 16);
for (let i = 0; i < buf.length; i++) buf[i] = Math.random() < 0.5 ? 0 : (Math.random() * 256) | 0;
// check equal
for (let i = 0; i < N; i++) { if (f6(buf, i * 16) !== formatIPv6(buf, i * 16)) throw new Error('6 ' + i + ' ' + f6(buf, i * 16) + ' ' + formatIPv6(buf, i * 16)); if (f4(buf, i * 16) !== formatIPv4(buf, i * 16)) throw new Error('4'); }
const fns: [string, (b: Uint8Array, o: number) => string][] = [['old4', formatIPv4], ['new4', f4], ['old6', formatIPv6], ['new6', f6]];
for (let r = 0; r < 3; r++) for (const [name, f] of fns) {
  const t = performance.now(); let x = 0;
  for (let k = 0; k < 20; k++) for (let i = 0; i < N; i++) { const s = f(buf, i * 16); x += s.length; }
  console.log(name, ((performance.now() - t) * 1e6 / (20 * N)).toFixed(1), 'ns', x);
}
