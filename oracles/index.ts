// The oracles. Pure: nothing here does I/O or imports the runner.
export { linuxVerdict, linuxTuple, inOracleScope, KERNEL_VERSION } from './linux/tuple.ts';
export type { Verdict, Outcome } from './linux/verdict.ts';
export { invertTuple } from './linux/invert.ts';
export { formatConntrackL, formatProcConntrack, type EntryView } from './linux/conntrack-format.ts';
export { ipv4Checksum, ipv4ChecksumOk } from './linux/ipv4.ts';
export type { LinuxOptions } from './linux/tuple.ts';
export { PROFILES, profileOfVersion, type KernelProfile, type ProfileInfo } from './linux/kernel-profile.ts';
