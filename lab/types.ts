// The kernel lab's public types.
import type { Tuple } from '../spec/contract.ts';
import type { Outcome } from '../oracles/index.ts';

export interface KernelObservation {
  /** What the kernel did, in the oracle's terms (oracles/linux/verdict.ts). */
  outcome: Outcome;
  /** The original tuple: from the conntrack table when tracked, from the ruleset's maps when built-unconfirmed. */
  tuple: Tuple | null;
  /** The datagram as injected, after the lab rewrote its addresses (rewrite.ts). */
  sentPacket: Uint8Array;
  /** What the kernel left to show it, for reports. */
  detail?: string;
}

export interface LabOptions {
  /** Datagrams per batch (default 4096, at most 65535). */
  batchSize?: number;
}

export interface LabStats {
  packets: number;
  batches: number;
  /** Datagrams sent again alone because records turned up that no datagram of their batch named. */
  alone: number;
  /** Batches sent again because the receiver lost frames before its IP layer. */
  retries: number;
  /** Milliseconds spent in observe(). */
  ms: number;
}

export interface Lab {
  /** The kernel's outcome and tuple for each datagram, in order. */
  observe(cases: readonly { packet: Uint8Array }[]): Promise<KernelObservation[]>;
  /** Ends the lab's processes and deletes its namespaces (with their veth and nft table). */
  close(): Promise<void>;
  readonly namespaces: { readonly rx: string; readonly tx: string };
  readonly stats: LabStats;
  /** Inconsistencies between the kernel's records and the batch, for diagnosis; empty normally. */
  readonly anomalies: string[];
}

/** The lab cannot give a trustworthy observation (environment, tools, kernel state). */
export class LabError extends Error {}
