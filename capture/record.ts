// Plain data the reader yields. Nothing here does I/O.

/** A capture timestamp, as stored: not normalised (a pcap file may hold ts_usec >= 1e6). */
export interface Timestamp {
  readonly seconds: number;
  readonly nanoseconds: number;
}

/** A pcapng interface (Interface Description Block). Classic pcap has none. */
export interface CaptureInterface {
  /** Interface ID: the IDB's index within its section. */
  readonly id: number;
  /** Section number, 0 for the first Section Header Block. */
  readonly section: number;
  readonly linkType: number;
  /** 0 means no limit. */
  readonly snaplen: number;
  /** if_name option, when present. */
  readonly name?: string;
  /** Timestamp unit as the if_tsresol option gives it, e.g. `1e-6`, `1e-9`, `2^-20`. */
  readonly tsresol: string;
}

export interface CaptureRecord {
  /** 0-based position of the record among the packets of the file. */
  readonly index: number;
  /** File offset of the record: its pcap record header or its pcapng block. */
  readonly offset: number;
  readonly linkType: number;
  readonly timestamp: Timestamp;
  /** Bytes captured, the length of `data`. */
  readonly caplen: number;
  /** Length of the packet on the wire; larger than caplen when the snapshot length cut it. */
  readonly origlen: number;
  /** The captured bytes: a copy owned by the caller. */
  readonly data: Uint8Array;
  /** pcapng only: the interface the packet was captured on. */
  readonly interface?: CaptureInterface;
}

export interface ReadOptions {
  /** Name used in errors when reading from a stream. Default `<stream>`. */
  readonly name?: string;
  /**
   * Largest captured length accepted for one record. Default 262144 (libpcap's
   * MAXIMUM_SNAPLEN); anything larger is a CaptureError, never a large allocation.
   */
  readonly maxRecordLength?: number;
  /** Largest pcapng block accepted (pcapng only). Default 16 MiB, as libpcap. */
  readonly maxBlockLength?: number;
  /** Read size when given a path. Default 1 MiB. */
  readonly chunkSize?: number;
}
