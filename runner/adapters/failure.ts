// An adapter keeps its failure without a request and names the request when it rejects: the one
// being answered when it happened, or, for a batch asked after the failure (or after a failure
// while idle, like an exit between batches), that batch's first, so a caller can always report a case.
import type { Answer } from '../../spec/contract.ts';
import type { CaseRequest, ImplementationFailure } from './types.ts';
import { ImplementationError } from './types.ts';

/** `failure` without its request: the kind, the unsuffixed message, the evidence. */
export type FailureBase = Omit<ImplementationFailure, 'request'>;

export function withRequest(base: FailureBase, request: CaseRequest | undefined, partial: readonly Answer[] = []): ImplementationError {
  const message = request ? `${base.message} (request ${request.id})` : base.message;
  return new ImplementationError({ ...base, message, ...(request ? { request } : {}) }, partial);
}
