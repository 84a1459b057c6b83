// A capture as phase-1 vectors of the suite: every GRE datagram becomes a SuiteVector named
// `<file>#<record index>`, its expected answer and keymap taken from a pinned expected file when
// there is one, else left to the oracle. Records cut by the snapshot length before bytes the
// kernel reads are not run: they are listed as unknown, with the reason. A cut record whose
// answer is known is run with the missing bytes as zeros (see completed()).
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { readCapture, ipDatagramOf, LINKTYPE } from '../capture/index.ts';
import type { SuiteVector } from '../runner/suite.ts';
import { toHex } from '../runner/hex.ts';
import { capturedVerdict, greByHeader } from './gre-datagram.ts';
import { expectedPathOf, parseExpectedFile, type ExpectedLine } from './expected-file.ts';
import { expectedFileOf } from './manifest.ts';
import { corpusDir, isFile, sharedCapturesDir, REPO_ROOT } from './paths.ts';
import { uniqueRules } from './pin.ts';

export interface SkippedRecord {
  readonly index: number;
  readonly offset: number;
  readonly packet: string;
  readonly reason: string;
}

export interface CaptureVectors {
  readonly file: string;
  /** The expected file used, or undefined when the oracle decides every answer. */
  readonly expectedFile: string | undefined;
  readonly records: number;
  /** Records that carry an IP datagram. */
  readonly ip: number;
  readonly vectors: SuiteVector[];
  /** GRE datagrams whose answer cannot be known: not run. */
  readonly unknown: SkippedRecord[];
  /** GRE datagrams the expected file has no line for: the oracle decides them. */
  readonly unpinned: number;
}

export class CaptureVectorsError extends Error {
  override readonly name = 'CaptureVectorsError';
}

/**
 * The expected file for a capture when none is named: beside it (`name.expected.ndjson`, or
 * `name.pcap.expected.ndjson`), or, for a capture of ../shared/captures, its pinned file in corpus/.
 */
export function findExpectedFile(capture: string, repoRoot = REPO_ROOT): string | undefined {
  const beside = [expectedPathOf(capture), `${capture}.expected.ndjson`].find(isFile);
  if (beside) return beside;
  const shared = sharedCapturesDir(repoRoot);
  const rel = relative(shared, resolve(capture));
  if (rel.startsWith('..') || rel.startsWith(sep) || rel === '') return undefined;
  const pinned = resolve(corpusDir(repoRoot), expectedFileOf(rel.split(sep).join('/'), 'shared'));
  return isFile(pinned) ? pinned : undefined;
}

const RAW_LINKS = new Set<number>([LINKTYPE.RAW, LINKTYPE.RAW_DLT12, LINKTYPE.RAW_DLT14, LINKTYPE.IPV4, LINKTYPE.IPV6]);

/**
 * Reads the capture and builds its vectors. `expectedFile`: a path, `null` for the oracle only,
 * or undefined to look for one (findExpectedFile). `caseName` names the cases (default `file`).
 */
export async function captureVectors(file: string, opts: { expectedFile?: string | null; caseName?: string } = {}): Promise<CaptureVectors> {
  const expectedFile = opts.expectedFile === null ? undefined : opts.expectedFile ?? findExpectedFile(file);
  let pinned = new Map<number, ExpectedLine>();
  if (expectedFile !== undefined) {
    let text: string;
    try { text = await readFile(expectedFile, 'utf8'); } catch (e) { throw new CaptureVectorsError(`${expectedFile}: ${(e as Error).message}`); }
    pinned = new Map(parseExpectedFile(text, expectedFile).map((l) => [l.index, l]));
  }
  const name = opts.caseName ?? file;
  const vectors: SuiteVector[] = [];
  const unknown: SkippedRecord[] = [];
  let records = 0, ip = 0, unpinned = 0;
  const seen = new Set<number>();
  for await (const r of readCapture(file)) {
    records++;
    const d = ipDatagramOf(r);
    const line = pinned.get(r.index);
    // A generated corpus pins every record, even a raw-IP one whose version nibble is not 4 or 6.
    const datagram = 'skip' in d ? (line && RAW_LINKS.has(r.linkType) ? { ip: r.data, wireLength: r.origlen } : undefined) : d;
    if (!datagram) continue;
    if (!('skip' in d)) ip++;
    if (!line && !greByHeader(datagram.ip)) continue;
    const caseId = `${name}#${r.index}`;
    const packet = toHex(datagram.ip);
    if (line) {
      seen.add(r.index);
      if (line.packet !== packet) {
        throw new CaptureVectorsError(`${expectedFile}: record ${r.index} pins packet ${short(line.packet)} but ${file} has ${short(packet)} there: the expected file is not this capture's`);
      }
      if (line.outcome === 'unknown') {
        unknown.push({ index: r.index, offset: r.offset, packet, reason: line.reason ?? 'pinned as unknown' });
        continue;
      }
      const bytes = completed(datagram.ip, datagram.wireLength);
      vectors.push({ id: caseId, caseId, rules: line.rules, packet: bytes === datagram.ip ? packet : toHex(bytes), bytes, keymap: line.keymap, expect: line.expected! });
      continue;
    }
    if (expectedFile !== undefined) unpinned++;
    const v = capturedVerdict(datagram.ip, datagram.wireLength);
    if (!v.known) {
      unknown.push({ index: r.index, offset: r.offset, packet, reason: v.reason });
      continue;
    }
    const bytes = completed(datagram.ip, datagram.wireLength);
    vectors.push({ id: caseId, caseId, rules: uniqueRules(v.verdict.rules), packet: bytes === datagram.ip ? packet : toHex(bytes), bytes, keymap: [] });
  }
  const missing = [...pinned.keys()].filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new CaptureVectorsError(`${expectedFile}: pins record${missing.length === 1 ? '' : 's'} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} that ${file} does not have as a datagram: the expected file is not this capture's`);
  }
  return { file, expectedFile, records, ip, vectors, unknown, unpinned };
}

/**
 * What the implementation is given for a record the snapshot length cut, once the answer is
 * known not to depend on the missing bytes: the captured bytes followed by zeros up to the wire
 * length (any completion has the kernel's answer, and the datagram's length fields stay true).
 */
function completed(ip: Uint8Array, wireLength: number): Uint8Array {
  if (wireLength <= ip.length) return ip;
  const b = new Uint8Array(wireLength);
  b.set(ip);
  return b;
}

function short(hex: string): string {
  return hex.length > 40 ? `${hex.slice(0, 40)}...` : hex;
}
