// Named fast-check arbitraries of GRE datagrams as Linux conntrack receives them, the case model
// they build, and the functions around it: encode, describe, parse (the unmapper), neutralize.
export type * from './model.ts';
export { EXT_TYPE, PAYLOAD_PROTOCOL } from './model.ts';
export { encodeCase } from './encodeCase.ts';
export { describeCase, describeGre, encodeAndDescribeCase, encodeAndDescribeCaseInto, type DescriptionSink } from './describeCase.ts';
export { parseCase } from './parseCase.ts';
export { NEUTRALIZERS } from './neutralize.ts';
export { greCase, type GreCaseConstraints } from './greCase.ts';
export { ipv4Header, GENERIC_PROTOCOLS, type Ipv4HeaderConstraints } from './ipv4Header.ts';
export { ipv4Options, type Ipv4OptionsConstraints } from './ipv4Options.ts';
export { ipv4Address, IPV4_POOL, type Ipv4AddressConstraints } from './ipv4Address.ts';
export { ipv6Header, IPV6_OTHER_NEXT_HEADERS, type Ipv6HeaderConstraints } from './ipv6Header.ts';
export { ipv6Address, multicastIpv6, IPV6_POOL, type Ipv6AddressConstraints } from './ipv6Address.ts';
export { ipv6ExtensionChain, type Ipv6ExtensionChainConstraints } from './ipv6ExtensionChain.ts';
export { greV0, type GreV0Constraints } from './greV0.ts';
export { greV1, type GreV1Constraints } from './greV1.ts';
export { greOtherVersion, type GreOtherVersionConstraints } from './greOtherVersion.ts';
export { grePayload, payloadOf, PAYLOAD_START, type GrePayloadConstraints } from './grePayload.ts';
export { truncation, type TruncationConstraints } from './truncation.ts';
export { trailer, type TrailerConstraints } from './trailer.ts';
export { keymapSpecs, keymapEntry, type KeymapSpecsConstraints } from './keymapSpecs.ts';
