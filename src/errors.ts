import { ErrorCode } from "./gen/vss_pb";
import { headHeaders } from "./codec/head";
import type { Head, PutFailure } from "./store/types";

/**
 * A request-time failure with its HTTP status and protocol error code (CONTRACT.md §2 "Errors").
 * Thrown in the Worker, rendered by worker/respond.ts; never thrown across RPC.
 */
export class VssError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "VssError";
  }
}

export const invalidRequest = (message: string) => new VssError(400, ErrorCode.INVALID_REQUEST_EXCEPTION, message);
export const payloadTooLarge = (limit: number) =>
  new VssError(413, ErrorCode.INVALID_REQUEST_EXCEPTION, `request body exceeds the limit of ${limit} bytes`);
export const authFailed = () => new VssError(401, ErrorCode.AUTH_EXCEPTION, "missing or invalid credentials");
/** 404 for a key that does not exist, with the head the store answered at (HISTORY.md §2). */
export const noSuchKey = (key: string, head?: Head) =>
  new VssError(404, ErrorCode.NO_SUCH_KEY_EXCEPTION, `no such key: ${JSON.stringify(key)}`, head ? headHeaders(head) : {});
export const conflict = (message: string, head?: Head) => new VssError(409, ErrorCode.CONFLICT_EXCEPTION, message, head ? headHeaders(head) : {});
/** Over a rate limit: INTERNAL_SERVER so that ldk-node backs off and retries (CONTRACT.md §2 "Errors"). */
export const rateLimited = (retryAfterSeconds: number) =>
  new VssError(429, ErrorCode.INTERNAL_SERVER_EXCEPTION, "rate limit exceeded, retry later", { "retry-after": String(retryAfterSeconds) });
/** A write that would exceed a quota: INVALID_REQUEST, which ldk-node does not retry. */
export const quotaExceeded = (message: string) => new VssError(403, ErrorCode.INVALID_REQUEST_EXCEPTION, message);
/** Seconds a wallet is told to wait while its store is being imported by the operator. */
export const IMPORT_RETRY_AFTER_SECONDS = 5;
/**
 * The store is being imported (src/store/transfer/transfer.ts): 503 with INTERNAL_SERVER, which ldk-node retries, so a
 * wallet waits for the whole import instead of seeing part of it.
 */
export const storeImporting = () =>
  new VssError(503, ErrorCode.INTERNAL_SERVER_EXCEPTION, "the store is being moved, retry later", { "retry-after": String(IMPORT_RETRY_AFTER_SECONDS) });
export const internalError = () => new VssError(500, ErrorCode.INTERNAL_SERVER_EXCEPTION, "internal server error");

/**
 * The one mapping of a refused write to its answer: version and lease refusals are CONFLICT (409), quotas 403,
 * a store being imported 503 (retried); a staged value gone missing or an unreachable account object is our
 * fault (500, retried).
 */
export function writeRefused(failure: PutFailure): VssError | Error {
  switch (failure.kind) {
    case "conflict":
    case "fenced":
      return conflict(failure.message, failure.head);
    case "quota":
      return quotaExceeded(failure.message);
    case "importing":
      return storeImporting();
    case "staged-value-missing":
    case "unavailable":
      return new Error(failure.message);
  }
}
