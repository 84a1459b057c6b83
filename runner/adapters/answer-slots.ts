// Answers in shared memory. The module worker writes each validated answer into a fixed-size slot
// of a SharedArrayBuffer before it starts the next case, so the main thread can read every answer
// given so far even after it had to stop the worker (a hang keeps its partial answers), and a
// finished batch costs no per-answer message copy.
//
// Slot layout (SLOT_BYTES bytes): [0] 0 = null, 1 = tuple; [1] proto; [2..3] srckey; [4..5] dstkey
// (little endian); [6] src length; [7] dst length; [8..] src text; [8 + ADDRESS_MAX..] dst text.
// Only answers that passed answerShapeError are written, so addresses are ASCII and at most 45
// characters ("0000:0000:0000:0000:0000:0000:255.255.255.255").
import type { Answer, Tuple } from '../../spec/contract.ts';

const ADDRESS_MAX = 48;
export const SLOT_BYTES = 8 + 2 * ADDRESS_MAX;

export function writeAnswer(slots: Uint8Array, index: number, answer: Tuple | null): void {
  const o = index * SLOT_BYTES;
  if (answer === null) {
    slots[o] = 0;
    return;
  }
  slots[o] = 1;
  slots[o + 1] = answer.proto;
  slots[o + 2] = answer.srckey & 0xff;
  slots[o + 3] = answer.srckey >>> 8;
  slots[o + 4] = answer.dstkey & 0xff;
  slots[o + 5] = answer.dstkey >>> 8;
  slots[o + 6] = writeText(slots, o + 8, answer.src);
  slots[o + 7] = writeText(slots, o + 8 + ADDRESS_MAX, answer.dst);
}

export function readAnswer(slots: Uint8Array, index: number): Answer {
  const o = index * SLOT_BYTES;
  if (slots[o] === 0) return null;
  return {
    src: readText(slots, o + 8, slots[o + 6]!),
    dst: readText(slots, o + 8 + ADDRESS_MAX, slots[o + 7]!),
    proto: slots[o + 1]!,
    srckey: slots[o + 2]! | (slots[o + 3]! << 8),
    dstkey: slots[o + 4]! | (slots[o + 5]! << 8),
  };
}

/** The first `count` answers, in order. */
export function readAnswers(slots: Uint8Array, count: number): Answer[] {
  const out = new Array<Answer>(count);
  for (let i = 0; i < count; i++) out[i] = readAnswer(slots, i);
  return out;
}

function writeText(slots: Uint8Array, at: number, text: string): number {
  if (text.length > ADDRESS_MAX) throw new RangeError(`address text longer than ${ADDRESS_MAX} characters`);
  for (let i = 0; i < text.length; i++) slots[at + i] = text.charCodeAt(i);
  return text.length;
}

function readText(slots: Uint8Array, at: number, length: number): string {
  // Shared memory cannot back a Buffer's latin1 decoding, and addresses are short: plain loop.
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(slots[at + i]!);
  return s;
}
