import { VssError } from "../errors.js";
import type { StoreHead } from "./head.js";

/** A revision span whose changes the server no longer retains: its digests cannot be recomputed (HISTORY.md §6). */
export interface HistoryGap {
  storeId: string;
  /** The last revision proven before the gap. */
  fromRevision: bigint;
  /** The last revision of the gap; the chain continues from the server's digest of it. */
  toRevision: bigint;
}

function describe(head: StoreHead): string {
  return `revision ${head.revision} (${head.digest.slice(0, 16)}…)`;
}

/**
 * An answer from a state older than one this client has already proven (a server restored from an old backup, a
 * stale replica, a replayed answer): refused. Its `cause` is the server's own error, when the answer was one.
 */
export class RollbackError extends VssError {
  override readonly name = "RollbackError";
  constructor(
    readonly storeId: string,
    readonly checkpoint: StoreHead,
    readonly answered: StoreHead,
    options?: { cause?: unknown },
  ) {
    super("rollback", `rollback: store ${JSON.stringify(storeId)} answered at ${describe(answered)}, older than the proven ${describe(checkpoint)}`, undefined, options);
  }
}

/** The server's history is not the one this client proved: the same revision with another digest, or a chain that does not recompute. */
export class ForkError extends VssError {
  override readonly name = "ForkError";
  constructor(
    readonly storeId: string,
    readonly checkpoint: StoreHead | undefined,
    readonly answered: StoreHead | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("fork", `fork: store ${JSON.stringify(storeId)}: ${detail}`, undefined, options);
  }
}

/**
 * An old value written forward: a verified revision gave `key` a value whose SHA-256 the key already had at
 * `earlierRevision` (a replayed request, a restore, an operator's re-import). Reported; thrown for critical keys.
 */
export class ReplayedValueError extends VssError {
  override readonly name = "ReplayedValueError";
  constructor(
    readonly storeId: string,
    readonly key: string,
    readonly revision: bigint,
    readonly earlierRevision: bigint,
    /** Hex. */
    readonly valueSha256: string,
  ) {
    super("replayed-value", `replayed value: store ${JSON.stringify(storeId)}, key ${JSON.stringify(key)} at revision ${revision} holds the value it had at revision ${earlierRevision}`);
  }
}

/** A gap the server no longer retains, refused by the app's gap policy. */
export class UnverifiableGapError extends VssError {
  override readonly name = "UnverifiableGapError";
  constructor(readonly gap: HistoryGap) {
    super("unverifiable-gap", `unverifiable gap: store ${JSON.stringify(gap.storeId)}: the changes of revisions ${gap.fromRevision + 1n}…${gap.toRevision} are pruned`);
  }
}

/**
 * The store was erased and written again (another incarnation, HISTORY.md §4): not a rollback the server can
 * excuse, but a fact the user must be told. Refused unless the app's policy accepts to start again from it.
 */
export class IncarnationChangedError extends VssError {
  override readonly name = "IncarnationChangedError";
  constructor(
    readonly storeId: string,
    /** Hex; "" for a store never written. */
    readonly previousIncarnation: string,
    readonly currentIncarnation: string,
    readonly checkpoint: StoreHead,
    readonly answered: StoreHead,
  ) {
    super("incarnation-changed", `store ${JSON.stringify(storeId)} was erased and ${currentIncarnation ? "written again" : "not written since"}: incarnation ${previousIncarnation || "(none)"} → ${currentIncarnation || "(none)"}, head ${describe(checkpoint)} → ${describe(answered)}`);
  }
}

/** A value (or a key's absence) read at a head that differs from what the verified chain says it must be there. */
export class ValueAuditError extends VssError {
  override readonly name = "ValueAuditError";
  constructor(
    readonly storeId: string,
    readonly key: string,
    readonly revision: bigint,
    detail: string,
  ) {
    super("audit", `audit: store ${JSON.stringify(storeId)}, key ${JSON.stringify(key)} at revision ${revision}: ${detail}`);
  }
}
