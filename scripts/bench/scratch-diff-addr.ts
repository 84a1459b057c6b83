import * as NEW from '../../spec/address.ts';
import * as OLD from '../../tmp/bench-helper/spec/address.ts';
const eq = (a?: Uint8Array, b?: Uint8Array) => a === b || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));
let seed = 12345; const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const alpha = '0123456789abcdefABCDEFg:.:::..0 ';
let n = 0;
function check(s: string) {
  for (const f of ['parseIPv4', 'parseIPv6', 'parseAddress', 'normalizeAddress'] as const) {
    let a: any, b: any, ea: any, eb: any;
    try { a = (OLD as any)[f](s); } catch (e) { ea = String(e); }
    try { b = (NEW as any)[f](s); } catch (e) { eb = String(e); }
    const same = f === 'normalizeAddress' ? a === b : eq(a, b);
    if (!same || ea !== eb) throw new Error(`${f}(${JSON.stringify(s)}) old=${a} ${ea} new=${b} ${eb}`);
  }
  n++;
}
for (let k = 0; k < 3_000_000; k++) {
  const len = (rnd() * 42) | 0; let s = '';
  for (let i = 0; i < len; i++) s += alpha[(rnd() * alpha.length) | 0];
  check(s);
}
// structured: valid-ish addresses then mutated
const buf = new Uint8Array(16);
for (let k = 0; k < 2_000_000; k++) {
  for (let i = 0; i < 16; i++) buf[i] = rnd() < 0.5 ? 0 : (rnd() * 256) | 0;
  if (rnd() < 0.1) { buf.fill(0, 0, 10); buf[10] = 0xff; buf[11] = 0xff; }
  const f6o = OLD.formatIPv6(buf, 0), f6n = NEW.formatIPv6(buf, 0);
  if (f6o !== f6n) throw new Error('format6 ' + f6o + ' ' + f6n);
  const f4o = OLD.formatIPv4(buf, 3), f4n = NEW.formatIPv4(buf, 3);
  if (f4o !== f4n) throw new Error('format4');
  // short buffers
  const short = buf.subarray(0, (rnd() * 16) | 0);
  if (OLD.formatIPv6(short, 0) !== NEW.formatIPv6(short, 0)) throw new Error('format6 short ' + OLD.formatIPv6(short, 0) + ' / ' + NEW.formatIPv6(short, 0));
  let s = rnd() < 0.5 ? f6o : f4o;
  if (rnd() < 0.3) s = s.toUpperCase();
  const m = (rnd() * 3) | 0;
  for (let j = 0; j < m; j++) { const p = (rnd() * (s.length + 1)) | 0; const op = rnd(); const ch = alpha[(rnd() * alpha.length) | 0]; s = op < 0.4 ? s.slice(0, p) + ch + s.slice(p) : op < 0.8 ? s.slice(0, p) + s.slice(p + 1) : s.slice(0, p) + ch + s.slice(p + 1); }
  check(s);
  // expanded spellings
  const words = Array.from({ length: 8 }, (_, i) => ((buf[2 * i]! << 8) | buf[2 * i + 1]!).toString(16).padStart((rnd() * 5) | 0, '0'));
  check(words.join(':'));
}
for (const v of [undefined, null, 5, {}, [], '1.2.3.4', '::ffff:1.2.3.4', '::', ':::', '1::', '::1', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8', '01.2.3.4', '256.1.1.1', '1.2.3.04']) {
  for (const f of ['parseIPv4', 'parseIPv6', 'parseAddress'] as const) {
    let a: any, b: any, ea: any, eb: any;
    try { a = (OLD as any)[f](v); } catch (e) { ea = String(e); }
    try { b = (NEW as any)[f](v); } catch (e) { eb = String(e); }
    if (!eq(a, b) || ea !== eb) throw new Error(`${f}(${String(v)}) old=${a} ${ea} new=${b} ${eb}`);
  }
}
console.log('ok', n);
