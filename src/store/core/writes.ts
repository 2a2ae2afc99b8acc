import { STORE_MIGRATIONS } from "../../../migrations";
import { accountFor } from "../../account/vss-account";
import type { Env } from "../../env";
import { absentFence } from "./absent";
import { fence } from "../lease/lease";
import { applyDelete, applyPut, type Applied, type WriteRules } from "./put";
import { migrate } from "../schema";
import { StoreSql } from "../sql";
import { dropStagedBlobs, stagedIds } from "../transfer/staging";
import { sameUsage } from "./usage";
import type { Limits, PutFailure, PutObjectsInput, Result, Usage, WriteContext } from "../types";

/** What the write path needs from its Durable Object. */
/**
 * A write that waited (for its account, or for the next group commit) while the store was erased — account
 * deletion — is refused rather than landing in the emptied store unknown to any account. Clients retry it.
 */
const ERASED: Result<never, PutFailure> = { ok: false, error: { kind: "unavailable", message: "the store was erased while this write waited; nothing was written" } };

export interface StoreHost {
  readonly storage: DurableObjectStorage;
  readonly env: Env;
  /** The store's tables, created when missing. */
  db(): StoreSql;
  /** The store's tables if it was ever written, else null (nothing is created). */
  existing(): StoreSql | null;
  /** Known to be registered with the account object (cached per wake). */
  registered: boolean;
  /** Counts the store's erasures: a write that began before one must not land after it (ERASED). */
  erasures: number;
  /** Runs `work` with this object's other calls held back. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Runs a synchronous write in the next group commit (group-commit.ts). */
  grouped<T>(work: () => T): Promise<T>;
  /** Removes everything the store holds. */
  erase(): Promise<void>;
}

const OK: Result<null, never> = { ok: true, value: null };

/** Thrown to roll back a trial on a never-written store, tables included. */
class Rollback extends Error {
  constructor(readonly result: Result<Applied, PutFailure>) {
    super("rollback");
  }
}

/** The rules a write of `context` is checked against, now. */
export function rulesOf(context: WriteContext): WriteRules {
  return { limits: context.storeLimits, lease: context.lease, now: Date.now(), changeRetentionMs: context.changeRetentionMs, storeId: context.storeId, history: context.history };
}

/**
 * CONTRACT.md §5.7: no items and no global_version → 200 and nothing changes — not even a store is created. It is
 * still fenced like every putObjects (MULTIDEVICE.md §4): a device that lost its lease is never told it wrote.
 */
export function isNoop(input: PutObjectsInput): boolean {
  return input.puts.length === 0 && input.deletes.length === 0 && input.globalVersion === undefined;
}

/** A write on a store that does not exist: refused when it carries a token (no lease is live), else nothing to do. */
export function fencedWhenAbsent(context: WriteContext): Result<null, PutFailure> {
  const fenced = absentFence(context.lease);
  return fenced ? { ok: false, error: fenced } : OK;
}

/** The fencing of a putObjects that changes nothing: the same rules as any write, checked against the live lease. */
function fenceNoop(host: StoreHost, context: WriteContext): Result<null, PutFailure> {
  const db = host.existing();
  if (!db) return fencedWhenAbsent(context);
  const fenced = fence(db.lease.current(), context.lease, Date.now());
  return fenced.ok ? OK : { ok: false, error: { kind: "fenced", message: fenced.error.message } };
}

/**
 * Whether `input` would apply, and the usage it would leave, without changing anything. On a never-written store
 * the trial runs on tables created inside the same transaction and rolled back with it, so nothing is left.
 */
export function tryPut(host: StoreHost, input: PutObjectsInput, rules: WriteRules): Result<Applied, PutFailure> {
  const db = host.existing();
  if (db) return applyPut(host.storage, db, input, rules, true);
  try {
    host.storage.transactionSync(() => {
      migrate(host.storage, STORE_MIGRATIONS);
      throw new Rollback(applyPut(host.storage, new StoreSql(host.storage.sql), input, rules, true));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
  throw new Error("a trial always rolls back");
}

/**
 * Before a put stages large values: refuses one that would conflict or break the store quota (so a refused
 * 32 MiB value is never uploaded), and registers the store, so that the staged chunks belong to a known store.
 */
export async function admit(host: StoreHost, context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
  if (isNoop(input)) return fenceNoop(host, context);
  const trial = tryPut(host, input, rulesOf(context));
  return trial.ok ? register(host, context) : trial;
}

/**
 * The one transactional write: every item applies, or none does; resolves to what it committed (null for an
 * empty put, which commits nothing). A refused write drops the staged values it named, and a store it leaves
 * holding nothing is erased and forgotten, so refused writes leave no storage.
 */
export async function putObjects(host: StoreHost, context: WriteContext, input: PutObjectsInput): Promise<Result<Applied | null, PutFailure>> {
  if (isNoop(input)) return fenceNoop(host, context);
  if (!host.existing()) {
    const trial = tryPut(host, input, rulesOf(context));
    if (!trial.ok) return trial;
  }
  const erasures = host.erasures;
  const registered = await register(host, context);
  const identityLimits = context.identityLimits;
  const result: Result<Applied, PutFailure> = !registered.ok
    ? registered
    : identityLimits
      ? await host.exclusive(() => putWithinIdentityQuota(host, context, identityLimits, input))
      : await host.grouped(() => (host.erasures !== erasures ? ERASED : applyPut(host.storage, host.db(), input, rulesOf(context))));
  if (!result.ok) await undo(host, context, input);
  return result;
}

/**
 * Trial, reservation, write: run with the store's other calls held back, so that the trial and the write see the
 * same state. Never throws (a throw would reset the object): an unreachable account object is a failure value
 * before the write, and only logged after it (the next reservation sends the exact usage again). The lease is
 * checked again by the write itself, at the time it commits.
 */
async function putWithinIdentityQuota(host: StoreHost, context: WriteContext, limits: Limits, input: PutObjectsInput): Promise<Result<Applied, PutFailure>> {
  const db = host.db();
  const before = db.usage();
  const trial = applyPut(host.storage, db, input, rulesOf(context), true);
  if (!trial.ok) return trial;
  const usage = trial.value.usage;
  const grows = usage.bytes > before.bytes || usage.keys > before.keys;
  if (grows) {
    let reserved: Result<null, string>;
    try {
      reserved = await accountFor(host.env, context.identity).reserve(context.storeId, usage, limits);
    } catch (error) {
      return { ok: false, error: { kind: "unavailable", message: `account object unavailable: ${String(error)}` } };
    }
    if (!reserved.ok) return { ok: false, error: { kind: "quota", message: reserved.error } };
  }
  const applied = applyPut(host.storage, db, input, rulesOf(context));
  if (applied.ok && !grows && !sameUsage(before, applied.value.usage)) await report(host, context, applied.value.usage);
  return applied;
}

/**
 * Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error (null). A writer fenced out
 * by a lease is refused (MULTIDEVICE.md §4 overrides deleteObject's "always 200").
 */
export async function deleteObject(host: StoreHost, context: WriteContext, key: string, version: number): Promise<Result<Applied | null, PutFailure>> {
  const db = host.existing();
  if (!db) return fencedWhenAbsent(context);
  const erasures = host.erasures;
  if (!context.identityLimits) return host.grouped(() => (host.erasures !== erasures ? ERASED : applyDelete(host.storage, db, key, version, rulesOf(context))));
  // Reported in the same serialized section as reservations, so the account never sees usages out of order.
  return host.exclusive(async () => {
    const result = applyDelete(host.storage, db, key, version, rulesOf(context));
    if (result.ok && result.value) await report(host, context, result.value.usage);
    return result;
  });
}

/**
 * Before its first write, a store tells its identity's account that it exists, so that deletion finds it; the
 * account refuses a store past the identity's store quota. Nothing is created here when that fails.
 */
export async function register(host: StoreHost, context: Pick<WriteContext, "identity" | "storeId" | "identityStores">): Promise<Result<null, PutFailure>> {
  if (host.registered || (host.registered = host.existing()?.registered() ?? false)) return OK;
  let result: Result<null, string>;
  try {
    result = await accountFor(host.env, context.identity).register(context.storeId, context.identityStores, context.identity);
  } catch (error) {
    return { ok: false, error: { kind: "unavailable", message: `account object unavailable: ${String(error)}` } };
  }
  if (!result.ok) return { ok: false, error: { kind: "quota", message: result.error } };
  host.db().markRegistered();
  host.registered = true;
  return OK;
}

/** After a refused write: drop its staged values; erase and forget the store if it now holds nothing at all. */
async function undo(host: StoreHost, context: WriteContext, input: PutObjectsInput): Promise<void> {
  const db = host.existing();
  if (!db) return;
  dropStagedBlobs(host.storage, db, stagedIds(input));
  if (!db.isEmpty()) return;
  await host.exclusive(async () => {
    if (!host.existing()?.isEmpty()) return;
    await host.erase();
    try {
      const account = accountFor(host.env, context.identity);
      await account.forget(context.storeId);
      await account.eraseIfEmpty(context.identity);
    } catch (error) {
      console.error("forgetting an empty store failed; account deletion will find it empty", String(error));
    }
  });
}

/** Best effort: a write is already committed when its usage is reported. */
async function report(host: StoreHost, context: WriteContext, usage: Usage): Promise<void> {
  try {
    await accountFor(host.env, context.identity).report(context.storeId, usage);
  } catch (error) {
    console.error("usage report to the account object failed; the next write of this store sends it again", String(error));
  }
}
