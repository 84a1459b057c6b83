// The NDJSON wire format of adapter 2 (CONTRACT.md section 5): request lines out, answer lines in.
import { answerShapeError, toAnswer } from '../../spec/answer-shape.ts';
import { CONTRACT_MAJOR } from '../../spec/contract.ts';
import type { Answer, KeymapEntry } from '../../spec/contract.ts';
import type { CaseRequest } from './types.ts';

/** Encodes requests as lines, caching the keymap's JSON: a batch usually shares one keymap. */
export class RequestEncoder {
  private lastKeymap: readonly KeymapEntry[] | undefined;
  private lastJson = '[]';

  line(r: CaseRequest): string {
    if (r.keymap !== this.lastKeymap) {
      this.lastKeymap = r.keymap;
      this.lastJson = JSON.stringify(r.keymap.map((e) => ({ src: e.src, dst: e.dst, dstkey: e.dstkey, srckey: e.srckey })));
    }
    const hex = Buffer.from(r.packet.buffer, r.packet.byteOffset, r.packet.byteLength).toString('hex');
    return `{"id":${r.id},"packet":"${hex}","keymap":${this.lastJson}}\n`;
  }
}

export type ParsedLine =
  | { readonly t: 'answer'; readonly id: number; readonly tuple: Answer }
  | { readonly t: 'contract'; readonly version: string; readonly supported: boolean }
  /** id is set when the line named one, so an out-of-order check can still run first. */
  | { readonly t: 'malformed'; readonly reason: string; readonly id?: number };

/** Reads one line of the implementation's standard output (without its newline). */
export function parseLine(line: string): ParsedLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { t: 'malformed', reason: 'the line is not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { t: 'malformed', reason: 'the line is not a JSON object' };
  const o = v as Record<string, unknown>;
  if ('contract' in o && !('id' in o)) {
    const m = typeof o.contract === 'string' ? /^(\d+)\.(\d+)$/.exec(o.contract) : null;
    if (!m) return { t: 'malformed', reason: `the contract announcement must be a "major.minor" string, got ${JSON.stringify(o.contract)}` };
    return { t: 'contract', version: o.contract as string, supported: Number(m[1]) === CONTRACT_MAJOR };
  }
  if (!Number.isSafeInteger(o.id)) return { t: 'malformed', reason: `the answer has no integer "id"` };
  const id = o.id as number;
  if (!('tuple' in o)) return { t: 'malformed', reason: 'the answer has no "tuple"', id };
  const shape = answerShapeError(o.tuple);
  if (shape !== undefined) return { t: 'malformed', reason: shape, id };
  return { t: 'answer', id, tuple: toAnswer(o.tuple) };
}
