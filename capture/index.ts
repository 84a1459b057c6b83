// Capture I/O: read pcap / pcapng in bounded memory, find the IP datagram in each record,
// write pcap / pcapng. Stands alone: nothing here imports the oracle, runner or CLI.
export { CaptureError, type CaptureErrorKind } from './error.ts';
export type { CaptureRecord, CaptureInterface, ReadOptions, Timestamp } from './record.ts';
export { readCapture, MAX_RECORD_LENGTH, MAX_BLOCK_LENGTH, type CaptureInput } from './read-capture.ts';
export { ipDatagramOf, type IpDatagram, type Skipped, type LinkRecord } from './ip-datagram.ts';
export { LINKTYPE, isKnownLinkType, linkTypeName, type LinkTypeName } from './link-types.ts';
export { CaptureWriter, type WriterOptions } from './writer.ts';
export { RecordEncoder, RecordChunk, WRITER_DST_MAC, WRITER_SRC_MAC, type RecordFormat, type PacketMeta, type EncodedRecords } from './record-encoder.ts';
