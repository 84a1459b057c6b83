// The default mix the suite runs: IPv4 or IPv6 (with an extension chain), GRE version 0, 1 or
// 2..7 with a payload of the kind its protocol announces, sometimes cut short, sometimes with
// bytes past the IP length, with a keymap now and then. Shrinking lowers the packet's size
// first (smallerCases: the datagram cut where the bytes that decide an answer end, IPv4 instead
// of IPv6, extension headers dropped, options shortened; then the parts' own shrinks that make it
// smaller) and never makes it larger. Each choice's first alternative is the simplest, so what is
// left shrinks to IPv4, no options, empty chain, 4- or 8-byte GRE, no payload, no trailer, no
// keymap.
import fc from 'fast-check';
import type { GreCase, GreHeader, GrePayload, Ipv4Header, Ipv6ExtHeader, Ipv6Header, PayloadKind, Truncation, KeymapSpec } from './model.ts';
import { PAYLOAD_PROTOCOL } from './model.ts';
import { constantOf, mapExact, pick, tupleMapBySize, w, zeroBytes } from './_internals/arb.ts';
import { caseSize, smallerCases } from './_internals/smallerCases.ts';
import { inSuiteScope } from './_internals/scope.ts';
import { protocolOf } from './_internals/greArbs.ts';
import { greOtherVersion } from './greOtherVersion.ts';
import { grePayload, payloadOf } from './grePayload.ts';
import { greV0 } from './greV0.ts';
import { greV1 } from './greV1.ts';
import { ipv4Header } from './ipv4Header.ts';
import { ipv6ExtensionChain } from './ipv6ExtensionChain.ts';
import { ipv6Header } from './ipv6Header.ts';
import { keymapSpecs } from './keymapSpecs.ts';
import { trailer } from './trailer.ts';
import { truncation } from './truncation.ts';

export interface GreCaseConstraints {
  /** Relative weights of the outer families (default 3 IPv4 : 2 IPv6). */
  readonly ipv4Weight?: number;
  readonly ipv6Weight?: number;
  /** Relative weights of GRE versions 0, 1 and 2..7 (default 7 : 11 : 2). */
  readonly v0Weight?: number;
  readonly v1Weight?: number;
  readonly otherVersionWeight?: number;
  /** Allow headers that lie: wrong lengths, checksums, versions, fields the flags do not announce (default true). */
  readonly lies?: boolean;
  /** Weight of a truncated datagram against 17 whole ones (default 4; 0 never). */
  readonly truncationWeight?: number;
  /** Allow bytes past the IP length (default true). */
  readonly trailer?: boolean;
  /** Allow keymaps (default true). */
  readonly keymap?: boolean;
}

type L3 = { ip: Ipv4Header | Ipv6Header; ext: Ipv6ExtHeader[] };
type Frame = { gre: GreHeader; payload: GrePayload };

/** GRE header and payload drawn together, so the protocol usually names the payload's kind. */
function frame(
  header: (protocol: fc.Arbitrary<number>) => fc.Arbitrary<GreHeader>, kinds: readonly [PayloadKind, number][], rawProtocol: number,
): fc.Arbitrary<Frame> {
  // The payload can always shrink to raw bytes (and so to none), whatever its kind.
  const raw = payloadOf('raw');
  return pick<Frame>(...kinds.map(([kind, weight]) => w(weight, mapExact(
    fc.tuple(header(protocolOf(kind === 'raw' ? rawProtocol : PAYLOAD_PROTOCOL[kind])), kind === 'raw' ? raw : pick(w(1, raw), w(6, payloadOf(kind)))),
    ([gre, payload]): Frame => ({ gre, payload }),
    (v): [GreHeader, GrePayload] => [(v as Frame).gre, (v as Frame).payload],
  ))));
}

export function greCase(c: GreCaseConstraints = {}): fc.Arbitrary<GreCase> {
  const lies = c.lies ?? true;
  const v4: fc.Arbitrary<L3> = mapExact(ipv4Header({ lies }), (ip): L3 => ({ ip, ext: [] }), (v) => {
    const l = v as L3;
    if (l.ext.length !== 0) throw new Error('IPv4 with a chain');
    return l.ip as Ipv4Header;
  });
  const v6: fc.Arbitrary<L3> = mapExact(
    fc.tuple(ipv6Header({ lies }), ipv6ExtensionChain({ lies })),
    ([ip, ext]): L3 => ({ ip, ext }),
    (v): [Ipv6Header, Ipv6ExtHeader[]] => [(v as L3).ip as Ipv6Header, (v as L3).ext],
  );
  const l3 = pick(w(c.ipv4Weight ?? 3, v4), w(c.ipv6Weight ?? 2, v6));

  const v0Kinds: [PayloadKind, number][] = [['raw', 4], ['ipv4', 4], ['ipv6', 2], ['ethernet', 2], ['erspan', 1], ['wccp', 1], ['nhrp', 1], ['ppp', 1]];
  const frames = pick(
    w(c.v0Weight ?? 7, frame((protocol) => greV0({ protocol, lies }), v0Kinds, 0x0800)),
    w(c.v1Weight ?? 11, frame((protocol) => greV1({ protocol, lies }), [['raw', 1], ['ppp', 3]], 0x880b)),
    w(c.otherVersionWeight ?? 2, fc.tuple(greOtherVersion({ lies }), grePayload({ kinds: ['raw', 'ppp', 'ipv4'] })).map(
      ([gre, payload]): Frame => ({ gre, payload }),
      (v): [GreHeader, GrePayload] => [(v as Frame).gre, (v as Frame).payload],
    )),
  );
  const cut = pick<Truncation | null>(w(17, fc.constant(null)), w(c.truncationWeight ?? 4, truncation({ staleLengths: lies })));
  const tail = c.trailer ?? true ? trailer() : zeroBytes(fc.constant(0));
  const keymap: fc.Arbitrary<KeymapSpec[]> = c.keymap ?? true ? keymapSpecs() : constantOf<KeymapSpec[]>([]);

  // Lies can make bytes play headers: the rare datagram that leaves the suite's scope is redrawn.
  // Shrinking lowers the packet's size first (tupleMapBySize, smallerCases).
  return tupleMapBySize<[L3, Frame, Truncation | null, Uint8Array, KeymapSpec[]], GreCase>(
    [l3, frames, cut, tail, keymap],
    ([l, f, truncate, trailerBytes, km]): GreCase => ({
      ip: l.ip, ext: l.ext, gre: f.gre, payload: f.payload, truncate, trailer: trailerBytes, keymap: km,
    }),
    (v): [L3, Frame, Truncation | null, Uint8Array, KeymapSpec[]] => {
      const g = v as GreCase;
      return [{ ip: g.ip, ext: g.ext as Ipv6ExtHeader[] }, { gre: g.gre, payload: g.payload }, g.truncate, g.trailer, g.keymap as KeymapSpec[]];
    },
    caseSize,
    smallerCases,
  ).filter(inSuiteScope);
}
