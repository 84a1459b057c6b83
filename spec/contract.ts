// The implementation contract in types. spec/CONTRACT.md is the prose users read; both change
// together and CONTRACT_VERSION moves with any change an implementation could notice.

/** Major.minor. An NDJSON implementation may announce the major it speaks (see CONTRACT.md). */
export const CONTRACT_VERSION = '1.0';
export const CONTRACT_MAJOR = 1;

/** One entry of the namespace's PPTP keymap, in insertion order (KM-3). */
export interface KeymapEntry {
  src: string;
  dst: string;
  dstkey: number;
  srckey: number;
}

export interface Context {
  keymap: readonly KeymapEntry[];
}

/** The original-direction tuple. Addresses as text, keys as host-order integers. */
export interface Tuple {
  src: string;
  dst: string;
  proto: number;
  srckey: number;
  dstkey: number;
}

/** What an implementation returns for one datagram: the tuple, or null when the kernel would not track it. */
export type Answer = Tuple | null;

export type ToTuple = (packet: Uint8Array, context: Context) => Answer | Promise<Answer>;

/** One NDJSON request line. */
export interface WireRequest {
  id: number;
  packet: string;
  keymap: KeymapEntry[];
}

/** One NDJSON answer line. */
export interface WireAnswer {
  id: number;
  tuple: Answer;
}
