// The structured case model: one GRE datagram (outer IPv4 or IPv6 header, IPv6 extension
// chain, GRE header, payload, bytes past the IP length, optional truncation) plus the PPTP
// keymap, kept as fields so that reports can describe it and fast-check can shrink it.
// JSON-friendly: numbers, strings, booleans, arrays, plain objects and Uint8Array.
//
// Length, checksum and next-header fields are 'auto' (computed by encodeCase from the rest of
// the case, so they stay right while the case shrinks) or an explicit number, written as given
// even when it is wrong: a header that lies.

/** 'auto' is computed at encode time; a number is written as is (and may be a lie). */
export type AutoNumber = 'auto' | number;

/** RFC 791 section 3.1 option: End of Option List, No Operation, a type-length-value option, or raw bytes. */
export type Ipv4Option =
  | { readonly kind: 'eol' }
  | { readonly kind: 'nop' }
  /** `length` 'auto' is data.length + 2; an explicit one (1, 0, too long) makes the option malformed. */
  | { readonly kind: 'tlv'; readonly type: number; readonly length: AutoNumber; readonly data: Uint8Array }
  /** Bytes written verbatim (what the unmapper keeps when the bytes are not options). */
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export interface Ipv4Header {
  readonly family: 4;
  /** 4; anything else is a lie (L3-2). Written as the first nibble. */
  readonly version: number;
  /** 'auto': 5 + the 32-bit words of the padded options. */
  readonly ihl: AutoNumber;
  readonly tos: number;
  /** 'auto': the bytes up to the end of the payload (after truncation, see Truncation.lengths). */
  readonly totalLength: AutoNumber;
  readonly id: number;
  /** The reserved flag bit (0x8000 of the fragment word). */
  readonly reservedFlag: boolean;
  readonly df: boolean;
  readonly mf: boolean;
  /** In 8-byte units, 13 bits. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  /** 'auto': the first extension header's type, else 47 (GRE). */
  readonly protocol: AutoNumber;
  /** 'auto': the RFC 791 header checksum over IHL*4 bytes. */
  readonly checksum: AutoNumber;
  readonly src: string;
  readonly dst: string;
  /** Encoded in order and padded with zero bytes (EOL) to a multiple of 4. */
  readonly options: readonly Ipv4Option[];
}

export interface Ipv6Header {
  readonly family: 6;
  /** 6; anything else is a lie. */
  readonly version: number;
  readonly trafficClass: number;
  readonly flowLabel: number;
  /** 'auto': bytes after the 40-byte header (after truncation, see Truncation.lengths). */
  readonly payloadLength: AutoNumber;
  /** 'auto': the first extension header's type, else 47 (GRE). */
  readonly nextHeader: AutoNumber;
  readonly hopLimit: number;
  readonly src: string;
  readonly dst: string;
}

/** RFC 8200 section 4.2 option of a Hop-by-Hop or Destination Options header. */
export type Ipv6Option =
  | { readonly kind: 'pad1' }
  /** PadN is type 1, Router Alert type 5 with 2 data bytes; `length` 'auto' is data.length. */
  | { readonly kind: 'tlv'; readonly type: number; readonly length: AutoNumber; readonly data: Uint8Array }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/**
 * One IPv6 extension header. `nextHeader` 'auto' is the next header's type in the chain, or 47
 * after the last one; `length` 'auto' is the header's real length in the field's unit
 * ((len+1)*8 bytes, AH (len+2)*4). Bodies are padded (Pad1/PadN, or zeros) to the unit.
 */
export type Ipv6ExtHeader =
  | {
      readonly kind: 'hop-by-hop' | 'destination';
      readonly nextHeader: AutoNumber;
      readonly length: AutoNumber;
      readonly options: readonly Ipv6Option[];
    }
  | {
      readonly kind: 'routing';
      readonly nextHeader: AutoNumber;
      readonly length: AutoNumber;
      readonly routingType: number;
      readonly segmentsLeft: number;
      readonly data: Uint8Array;
    }
  | {
      readonly kind: 'fragment';
      readonly nextHeader: AutoNumber;
      readonly reserved: number;
      /** In 8-byte units, 13 bits. */
      readonly offset: number;
      /** The two reserved bits between the offset and M. */
      readonly res: number;
      readonly more: boolean;
      readonly id: number;
    }
  | {
      readonly kind: 'ah';
      readonly nextHeader: AutoNumber;
      readonly length: AutoNumber;
      readonly reserved: number;
      readonly spi: number;
      readonly seq: number;
      readonly icv: Uint8Array;
    };

/** The bits of the first GRE word: RFC 1701 section 2.1, RFC 2784 section 2, RFC 2637 section 4.1. */
export interface GreFlags {
  readonly c: boolean;
  readonly r: boolean;
  readonly k: boolean;
  readonly s: boolean;
  /** RFC 1701 Strict Source Route bit. */
  readonly strict: boolean;
  /** RFC 1701 Recursion Control, 3 bits. */
  readonly recursion: number;
  /** RFC 2637 Acknowledgment Sequence Number Present (0x0080); a reserved bit for version 0. */
  readonly a: boolean;
  /** The remaining flag bits 0x0078, 4 bits. */
  readonly reserved: number;
  /** flags & 7. */
  readonly version: number;
}

/** RFC 2637 section 4.1: the Key field of enhanced GRE. `payloadLength` 'auto' is the payload's size. */
export interface PptpKey {
  readonly payloadLength: AutoNumber;
  readonly callId: number;
}

/** RFC 1701 section 2.2 Source Route Entry; `length` 'auto' is info.length. A NULL SRE ends the list. */
export interface Sre {
  readonly family: number;
  readonly offset: number;
  readonly length: AutoNumber;
  readonly info: Uint8Array;
}

/**
 * A GRE header. Optional fields are present when defined, whatever the flag bits say (a header
 * that lies when they disagree). Wire order: checksum+offset, key, sequence, acknowledgment,
 * routing.
 */
export interface GreHeader {
  readonly flags: GreFlags;
  readonly protocol: number;
  /** `value` 'auto': the one's complement checksum of GRE header and payload (RFC 1701 2.2). `offset` is RFC 1701 Offset / RFC 2784 Reserved1. */
  readonly checksum?: { readonly value: AutoNumber; readonly offset: number };
  /** A 32-bit key (RFC 2890) or the RFC 2637 payload length + call id. */
  readonly key?: number | PptpKey;
  readonly seq?: number;
  readonly ack?: number;
  readonly routing?: readonly Sre[];
}

export type PayloadKind = 'raw' | 'ipv4' | 'ipv6' | 'ethernet' | 'erspan' | 'wccp' | 'ppp' | 'nhrp';

/** What the GRE header carries. `kind` names it for reports; `bytes` is all of it. */
export interface GrePayload {
  readonly kind: PayloadKind;
  readonly bytes: Uint8Array;
}

/**
 * Cut the datagram (not the trailer) short. `keep` counts from the first GRE byte (negative
 * values cut into the extension chain or the IP header; the generators and parseCase use this)
 * or from the first byte of the datagram.
 * `lengths`: whether 'auto' IP length fields describe the datagram after the cut (consistent) or
 * before it (a capture cut by its snap length: the header claims more than is there).
 */
export interface Truncation {
  readonly from: 'gre' | 'datagram';
  readonly keep: number;
  readonly lengths: 'after' | 'before';
}

/** An address of a keymap entry: the packet's source or destination, or an address as text. */
export type AddressRef = 'packet-src' | 'packet-dst' | string;
/** A key of a keymap entry: the 16 bits at GRE bytes 6-7 of the packet (the v1 call id), or a number. */
export type KeyRef = 'packet-callid' | number;

/**
 * A keymap entry described relative to the packet, resolved by encodeCase. For an IPv6 packet
 * 'packet-src'/'packet-dst' resolve to the IPv4 address in the low 32 bits of that address:
 * the kernel's PPTP helper only makes IPv4 entries.
 */
export interface KeymapSpec {
  readonly src: AddressRef;
  readonly dst: AddressRef;
  readonly dstkey: KeyRef;
  readonly srckey: KeyRef;
}

export interface GreCase {
  readonly ip: Ipv4Header | Ipv6Header;
  /** IPv6 extension headers after the IP header, in order (empty for the IPv4 generators). */
  readonly ext: readonly Ipv6ExtHeader[];
  readonly gre: GreHeader;
  readonly payload: GrePayload;
  readonly truncate: Truncation | null;
  /** Bytes after the datagram, past the IP length fields (Ethernet padding). */
  readonly trailer: Uint8Array;
  readonly keymap: readonly KeymapSpec[];
}

/** The IPv6 next-header value of each extension header kind. */
export const EXT_TYPE = { 'hop-by-hop': 0, routing: 43, fragment: 44, ah: 51, destination: 60 } as const;

/** EtherTypes of the payload kinds (GRE protocol field); raw has none. */
export const PAYLOAD_PROTOCOL = {
  ipv4: 0x0800, ipv6: 0x86dd, ethernet: 0x6558, erspan: 0x88be, wccp: 0x883e, ppp: 0x880b, nhrp: 0x2001,
} as const satisfies Record<Exclude<PayloadKind, 'raw'>, number>;
