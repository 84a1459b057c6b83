// What the runner needs from an implementation, whatever its kind. Verdicts (right or wrong
// tuples) and harness failures (crash, hang, protocol errors) are different types all the way to
// the exit code: adapters return answers, or reject with ImplementationError.
import type { Answer, KeymapEntry } from '../../spec/contract.ts';

export interface CaseRequest {
  /** Unique, increasing within one adapter's life. */
  readonly id: number;
  readonly packet: Uint8Array;
  readonly keymap: readonly KeymapEntry[];
}

export type FailureKind = 'crash' | 'timeout' | 'malformed' | 'out-of-order' | 'early-exit' | 'contract-version' | 'load';

export interface ImplementationFailure {
  readonly kind: FailureKind;
  /** One sentence: what happened. */
  readonly message: string;
  /** The request being answered when it happened (undefined when none was, e.g. a load error). */
  readonly request?: CaseRequest;
  /** Extra evidence: a stack, the offending output line, the tail of stderr. */
  readonly detail?: string;
}

export class ImplementationError extends Error {
  constructor(
    readonly failure: ImplementationFailure,
    /** Answers received, in order, for the requests before the failing one. */
    readonly partial: readonly Answer[] = [],
  ) {
    super(failure.message);
    this.name = 'ImplementationError';
  }
}

export interface Adapter {
  /** e.g. "module ./examples/js/correct.mjs (worker thread)". */
  readonly description: string;
  /** Answers for the batch, in order. Answer shapes are already validated. */
  answer(batch: readonly CaseRequest[]): Promise<Answer[]>;
  /** Stops the implementation and everything it started. Safe to call twice. */
  close(): Promise<void>;
}

export interface AdapterOptions {
  /** Per-case timeout in milliseconds. */
  readonly timeoutMs: number;
  readonly cwd?: string;
}
