// nf_ct_invert_tuple (net/netfilter/nf_conntrack_core.c): GRE uses the generic swap (CT-1).
import type { Tuple } from '../../spec/contract.ts';

export function invertTuple(t: Tuple): Tuple {
  return { src: t.dst, dst: t.src, proto: t.proto, srckey: t.dstkey, dstkey: t.srckey };
}
