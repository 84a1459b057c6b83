// Kernel versions whose GRE answers differ (reference sheet section 7). Only the IPv6 path
// changed: the GRE tracker was IPv4-only until the l4proto became family-independent, and the
// family-independent tracker refused IPv6 packets until 5.12.
export type KernelProfile = 'ipv4-only' | 'ipv6-invalid' | 'current';

export interface ProfileInfo {
  readonly profile: KernelProfile;
  readonly versions: string;
  readonly ipv6: string;
  readonly source: string;
}

export const PROFILES: Readonly<Record<KernelProfile, ProfileInfo>> = {
  'ipv4-only': {
    profile: 'ipv4-only', versions: '2.6.20 - 5.0',
    ipv6: 'IPv6 GRE goes to the generic tracker: tracked, keys 0/0 (`unknown 47`)',
    source: 'VER-2, VER-3, VER-4: nf_conntrack_l4proto_gre4 registered for AF_INET only',
  },
  'ipv6-invalid': {
    profile: 'ipv6-invalid', versions: '5.1 - 5.11 (before the April 2021 stable backports)',
    ipv6: 'IPv6 GRE tuple is built, then nf_conntrack_gre_packet refuses non-IPv4: invalid',
    source: 'VER-5',
  },
  current: {
    profile: 'current', versions: '5.12 and later (and 5.4.y, 5.10.y, 5.11.y since April 2021)',
    ipv6: 'IPv6 GRE takes the IPv4 path',
    source: 'VER-6: commit 8b2030b43059 "netfilter: conntrack: Fix gre tunneling over ipv6"',
  },
};

/** The profile of a kernel version like "4.19", "5.10" or "6.18.44"; undefined when not a version. */
export function profileOfVersion(version: string): KernelProfile | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]), minor = Number(m[2]);
  if (major < 2) return undefined;
  if (major < 5 || (major === 5 && minor === 0)) return 'ipv4-only';
  if (major === 5 && minor < 12) return 'ipv6-invalid';
  return 'current';
}
