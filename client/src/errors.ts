import { ErrorCode } from "./gen/vss_pb.js";
import type { StoreHead } from "./history/head.js";

/** What went wrong, as a string tag that survives serialization (CLIENTS.md §1 error mapping). */
export type VssErrorKind =
  | "no-such-key"
  | "invalid-request"
  | "conflict"
  | "auth"
  | "internal"
  | "version-mismatch"
  // A verifying client's refusals (history/errors.ts, HISTORY.md §6): never retried.
  | "rollback"
  | "fork"
  | "replayed-value"
  | "unverifiable-gap"
  | "incarnation-changed"
  | "audit";

/** Any failure of a VSS call. Switch on `kind`, or use `instanceof` with the subclasses below. */
export class VssError extends Error {
  override readonly name: string = "VssError";
  /** The store's head the answer carried (`vss-revision`, `vss-digest`; HISTORY.md §2), when it carried one. */
  head?: StoreHead;

  constructor(
    readonly kind: VssErrorKind,
    message: string,
    /** The HTTP status when a response arrived. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The key does not exist (ErrorCode 4). Never retried by the ldk-node policy. */
export class NoSuchKeyError extends VssError {
  override readonly name = "NoSuchKeyError";
  constructor(message: string, status?: number) {
    super("no-such-key", message, status);
  }
}

/** The server refused the request as malformed or over a limit (ErrorCode 2). */
export class InvalidRequestError extends VssError {
  override readonly name = "InvalidRequestError";
  constructor(message: string, status?: number) {
    super("invalid-request", message, status);
  }
}

/** A version precondition failed (ErrorCode 1). */
export class ConflictError extends VssError {
  override readonly name: string = "ConflictError";
  constructor(message: string, status?: number) {
    super("conflict", message, status);
  }
}

/**
 * A write refused by this client because its lease is lost or its local estimate of the expiry has passed
 * (MULTIDEVICE.md §4): nothing was sent. A ConflictError like the server's refusal, and its message starts `fenced:`.
 */
export class LeaseLostError extends ConflictError {
  override readonly name = "LeaseLostError";
  constructor(message: string) {
    super(message.startsWith("fenced:") ? message : `fenced: ${message}`);
  }
}

/** True for a ConflictError that is a fencing refusal (the server's or this client's): the lease is gone. */
export function isFenced(error: unknown): error is ConflictError {
  return error instanceof ConflictError && error.message.startsWith("fenced:");
}

/** Missing or rejected credentials (ErrorCode 5), or a header provider that failed. */
export class AuthError extends VssError {
  override readonly name = "AuthError";
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super("auth", message, status, options);
  }
}

/** Server failure, unknown error code, undecodable body, transport failure or deadline (ErrorCode 3 and the rest). */
export class InternalError extends VssError {
  override readonly name = "InternalError";
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super("internal", message, status, options);
  }
}

/** The response's `vss-protocol-version` header is missing or not the one this client speaks. Never retried. */
export class VersionMismatchError extends VssError {
  override readonly name = "VersionMismatchError";
  constructor(
    readonly received: string | null,
    status?: number,
  ) {
    super("version-mismatch", `server speaks VSS protocol version ${received ?? "(none)"}, expected 0`, status);
  }
}

/** Maps a decoded ErrorResponse to the typed error of its code; anything unknown is internal. */
export function errorFromCode(code: ErrorCode, message: string, status: number): VssError {
  switch (code) {
    case ErrorCode.NO_SUCH_KEY_EXCEPTION:
      return new NoSuchKeyError(message, status);
    case ErrorCode.INVALID_REQUEST_EXCEPTION:
      return new InvalidRequestError(message, status);
    case ErrorCode.CONFLICT_EXCEPTION:
      return new ConflictError(message, status);
    case ErrorCode.AUTH_EXCEPTION:
      return new AuthError(message, status);
    default:
      return new InternalError(message, status);
  }
}
