// The one error type the capture reader and writer throw for bad input. Every reader error names
// the file and the byte offset where the problem starts, so a broken capture can be looked at
// with `xxd -s OFFSET FILE`.

/** What went wrong, for code that branches on it (the message is for people). */
export type CaptureErrorKind =
  | 'bad-magic'          // not a pcap/pcapng file (or one we do not read, e.g. gzip)
  | 'unsupported'        // a recognised format or version this reader does not handle
  | 'truncated'          // the file ends inside a header, record or block
  | 'absurd-length'      // a length field larger than the format or snapshot length allows
  | 'unknown-link-type'  // a link-type value outside the LINKTYPE_ registry
  | 'malformed'          // any other structural inconsistency (bad block trailer, options...)
  | 'io';                // the file or stream itself failed

export class CaptureError extends Error {
  override readonly name = 'CaptureError';

  constructor(
    readonly kind: CaptureErrorKind,
    /** Path of the capture, or the name given for a stream (`<stream>` by default). */
    readonly file: string,
    /** Byte offset in the file where the offending header, record or field starts. */
    readonly offset: number,
    /** What is wrong, without the file and offset (they are prefixed in `message`). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: offset ${offset}: ${detail}`, options);
  }
}
