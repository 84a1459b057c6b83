// One chunk of a generated corpus: cases seed:start .. seed:start+count-1, each generated exactly
// as the suite generates it (runner/case-id.ts drawCase), encoded, and answered by the
// oracle. Pure: the chunk comes back as bytes ready to append, the capture's records (in the
// capture's format) and the expected lines, so that the thread writing the files only appends
// them, and a worker hands them over without a copy.
import { drawCase, formatCaseId } from '../runner/case-id.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';
import { defaultSpace } from '../runner/default-space.ts';
import type { CaseSpace } from '../runner/case-space.ts';
import type { KeymapEntry } from '../spec/contract.ts';
import { linuxDecide, parseKeymap, Decision, inOracleScope, type ParsedKeymapEntry } from '../oracles/index.ts';
import { RecordChunk, RecordEncoder, type EncodedRecords, type RecordFormat } from '../capture/index.ts';
import { CaseIdBytes, DescriptionBytes, ExpectedLineBytes } from './expected-line-bytes.ts';

export interface GeneratedChunk {
  /** The datagrams' capture records, in case order. */
  readonly records: EncodedRecords;
  /** Their expected lines as UTF-8, each ending in a newline. */
  readonly lines: Uint8Array;
  /** Cases whose answer the oracle does not give exactly (an L4 protocol with its own tracker). */
  readonly outOfScope: number;
}

// Room for a chunk's bytes up front, so the buffers rarely grow: a default case's record is
// about 80 bytes and its line about 460 (1,000,000 packets: 68 MB of pcap, 456 MB of lines).
const RECORD_GUESS = 128;
const LINE_GUESS = 640;

/**
 * Buffers of chunks already written, for a chunk to be written into again (when big enough).
 * Shared buffers, as every chunk's are (see sharedBytes).
 */
export interface ChunkBuffers {
  readonly records?: SharedArrayBuffer;
  readonly lines?: SharedArrayBuffer;
}

export function generateChunk<T>(
  seed: number, start: number, count: number, format: RecordFormat | RecordEncoder = {},
  space: CaseSpace<T> = defaultSpace as unknown as CaseSpace<T>, reuse: ChunkBuffers = {},
): GeneratedChunk {
  const records = new RecordChunk(format instanceof RecordEncoder ? format : new RecordEncoder(format), start, count * RECORD_GUESS, sharedBytes(reuse.records));
  const lines = new ExpectedLineBytes(count * LINE_GUESS, sharedBytes(reuse.lines));
  const decision = new Decision();
  const sink = new DescriptionBytes();
  const generators = generatorsFingerprint(space);
  const ids = caseIds(seed, generators);
  let outOfScope = 0;
  for (let index = start; index < start + count; index++) {
    const value = drawCase(space.arbitrary, seed, index);
    const { packet, keymap, parsedKeymap, description } = encodeDescribed(space, value, sink);
    // The line has no reason text, so the numeric decision is enough (addDecided writes it out).
    const d = linuxDecide(packet, parsedKeymap ?? parseKeymap(keymap), decision);
    if (!inOracleScope(d.l4proto < 0 ? undefined : d.l4proto)) outOfScope++;
    records.add(packet);
    lines.addDecided(index, ids, packet, keymap, d, description);
  }
  return { records: records.finish(), lines: lines.finish(), outOfScope };
}

/**
 * An allocator of shared memory, giving `reuse` first when it is big enough. A chunk's buffers
 * are shared so that a worker hands them to the writing thread without transferring them:
 * transferring detaches an ArrayBuffer, and the first detach in a thread makes V8 throw away the
 * optimized code of every function that reads a typed array (dozens in a chunk's path: the
 * encoders, the oracle's parsers, the line writer) and from then on compile typed-array reads
 * with a check for it. A chunk of 80,000 packets took 4.3 µs a packet in a thread where a
 * buffer had been detached, 4.0 µs where none had (medians of 5 runs, 3 processes each); and
 * a million-packet run recompiled those functions in every thread.
 */
function sharedBytes(reuse: SharedArrayBuffer | undefined): (bytes: number) => Uint8Array {
  let first = reuse;
  return (bytes) => {
    const b = first !== undefined && first.byteLength >= bytes ? first : new SharedArrayBuffer(bytes);
    first = undefined;
    return new Uint8Array(b);
  };
}

/**
 * A case's datagram, keymap and description: the description written straight into `sink`
 * where the space can (its bytes are copied into the line), else as a string.
 */
function encodeDescribed<T>(space: CaseSpace<T>, value: T, sink: DescriptionBytes): {
  packet: Uint8Array; keymap: KeymapEntry[]; parsedKeymap?: readonly ParsedKeymapEntry[]; description: string | DescriptionBytes | undefined;
} {
  if (space.encodeDescribedInto) {
    sink.reset();
    const e = space.encodeDescribedInto(value, sink);
    // Characters JSON escapes (none in the generators' descriptions): the string, escaped as JSON.stringify does.
    if (sink.plain) return { packet: e.packet, keymap: e.keymap, parsedKeymap: e.parsedKeymap, description: sink };
  }
  if (space.encodeDescribed) return space.encodeDescribed(value);
  return { ...space.encode(value), description: space.describe?.(value) };
}

/** Case seed:i's id, formatCaseId's, as the text around i (CaseIdBytes); checked on two indexes. */
export function caseIds(seed: number, generators: string): CaseIdBytes {
  const probe = 987654321;
  const id = formatCaseId({ seed, index: probe, path: [], generators });
  const at = id.lastIndexOf(String(probe));
  const ids = new CaseIdBytes(id.slice(0, at), id.slice(at + String(probe).length));
  const zero = formatCaseId({ seed, index: 0, path: [], generators });
  if (zero !== `${id.slice(0, at)}0${id.slice(at + String(probe).length)}`) throw new Error(`case ids are not the text around the index: ${zero}`);
  return ids;
}
