// The contract between readCapture's loop and a format's parser. Parsers are synchronous: they
// work on the bytes at hand and say how many they need when those are not enough, so the
// only await per record is the rare refill, and there is a single async generator per read.
import type { CaptureError } from '../error.ts';
import type { CaptureRecord } from '../record.ts';
import type { ByteSource } from './byte-source.ts';

export interface RecordParser {
  /** The next record, if its bytes are at hand; otherwise how many bytes it needs at src.pos. */
  step(src: ByteSource): CaptureRecord | number;
  /** The input ended short of what step asked for: the error to throw, or null at a clean end. */
  ended(src: ByteSource): CaptureError | null;
}
