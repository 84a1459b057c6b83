// The oracles. Pure: nothing here does I/O or imports the runner.
export { linuxVerdict, linuxTuple, linuxDecide, inOracleScope, KERNEL_VERSION } from './linux/tuple.ts';
export {
  Decision, decisionTuple, decisionRules, decisionVerdict, decisionAgrees, OUTCOMES,
  TRACKED, BUILT_UNCONFIRMED, INVALID, NOT_SEEN,
} from './linux/decision.ts';
export { parseKeymap, type ParsedKeymapEntry } from './linux/keymap.ts';
export type { Verdict, Outcome } from './linux/verdict.ts';
export { invertTuple } from './linux/invert.ts';
export { formatConntrackL, formatProcConntrack, type EntryView } from './linux/conntrack-format.ts';
export { ipv4Checksum, ipv4ChecksumOk } from './linux/ipv4.ts';
export type { LinuxOptions } from './linux/tuple.ts';
export { PROFILES, profileOfVersion, type KernelProfile, type ProfileInfo } from './linux/kernel-profile.ts';
