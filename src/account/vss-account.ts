import { DurableObject } from "cloudflare:workers";
import { ACCOUNT_MIGRATIONS } from "../../migrations";
import type { Env } from "../env";
import { hasSchema, migrate } from "../store/schema";
import type { Limits, Result, Usage } from "../store/types";
import { exceededQuota } from "../store/core/usage";
import { directoryFor } from "../directory/shards";
import { storeFor } from "../store/address";
import { AccountSql } from "./account-sql";

/** How long an admitted watcher counts before its store reports it (after that, the request is taken as lost). */
const ADMISSION_TTL_MS = 60_000;

/**
 * One identity's account: which stores it has (so that account deletion finds them all) and, when identity
 * quotas are on, the usage each store last reported. Called by the identity's store objects and the Worker.
 */
export class VssAccount extends DurableObject<Env> {
  #db: AccountSql | null = null;
  /** Orders stores' watcher reports against recounts (in memory: a recount does not outlive the instance). */
  #reportTick = 0;
  readonly #reportedAt = new Map<string, number>();

  get #sql(): AccountSql {
    if (!this.#db) {
      migrate(this.ctx.storage, ACCOUNT_MIGRATIONS);
      this.#db = new AccountSql(this.ctx.storage.sql);
    }
    return this.#db;
  }

  /**
   * Records that `storeId` exists; idempotent. A new store is refused once the identity has `maxStores` of them
   * (0 = unlimited): identities are free to create, so their number of stores must be bounded too. The first
   * store of an identity also lists the identity in the operator's directory (once: the account remembers it),
   * so later registrations cost no extra call.
   */
  async register(storeId: string, maxStores: number, identity: string): Promise<Result<null, string>> {
    const db = this.#sql;
    const result = this.ctx.storage.transactionSync((): Result<null, string> => {
      if (db.has(storeId)) return { ok: true, value: null };
      const stores = db.count();
      if (maxStores > 0 && stores >= maxStores) {
        return { ok: false, error: `identity quota exceeded: stores would be ${stores + 1}, the limit is ${maxStores}` };
      }
      db.register(storeId, Date.now());
      return { ok: true, value: null };
    });
    if (!result.ok || db.listed()) return result;
    await directoryFor(this.env, identity).add(identity);
    db.markListed();
    return result;
  }

  /**
   * Lets `storeId` grow to `usage` if the identity's total stays within `limits` (or does not grow), and records
   * it. Serialized by this object, so concurrent writes to several stores cannot overshoot together.
   */
  reserve(storeId: string, usage: Usage, limits: Limits): Result<null, string> {
    const { others, own } = this.#sql.usage(storeId);
    const before = { bytes: others.bytes + own.bytes, keys: others.keys + own.keys };
    const after = { bytes: others.bytes + usage.bytes, keys: others.keys + usage.keys };
    const exceeded = exceededQuota("identity", before, after, limits);
    if (exceeded) return { ok: false, error: exceeded };
    this.#sql.setUsage(storeId, usage, Date.now());
    return { ok: true, value: null };
  }

  /** Records a store's exact usage after a write that did not need a reservation (one that shrank it). */
  report(storeId: string, usage: Usage): void {
    this.#sql.setUsage(storeId, usage, Date.now());
  }

  /** The identity's total usage over all its stores. */
  total(): Usage {
    const { others, own } = this.#sql.usage("");
    return { bytes: others.bytes + own.bytes, keys: others.keys + own.keys };
  }

  /**
   * Admits one more watch socket on `storeId` while the identity holds fewer than `limit` over all its stores
   * (VSS_WATCHERS_PER_IDENTITY): the sockets each store last reported, plus the admissions on their way to a store
   * (settled when it reports accepting or refusing them). A store that lost its sockets without reporting (a
   * restart) would keep its count, so at the limit every watched store is asked again first.
   */
  async admitWatcher(storeId: string, identity: string, limit: number): Promise<boolean> {
    const db = this.#sql;
    const now = Date.now();
    if (db.openWatchers(now - ADMISSION_TTL_MS) < limit) {
      db.admitWatcher(storeId, now, now - ADMISSION_TTL_MS);
      return true;
    }
    // Asked without holding this object (a store may be waiting on it meanwhile: no deadlock); a store that does
    // not answer keeps its last count, and one that reported while being asked keeps its report, which is newer
    // than its answer. The decision after the counts is synchronous, so two admissions cannot both take the last place.
    const watched = db.watchedStores();
    const asked = ++this.#reportTick;
    const counts = await Promise.all(watched.map((id) => storeFor(this.env, identity, id).openWatchers().catch(() => null)));
    watched.forEach((id, i) => {
      const open = counts[i];
      if (open !== null && open !== undefined && (this.#reportedAt.get(id) ?? 0) < asked) db.setWatchers(id, open);
    });
    const later = Date.now();
    if (db.openWatchers(later - ADMISSION_TTL_MS) >= limit) return false;
    db.admitWatcher(storeId, later, later - ADMISSION_TTL_MS);
    return true;
  }

  /**
   * A store's count of open watch sockets, after it accepted or refused a watcher handed to it (`settles`: that
   * admission is no longer on its way) or lost one.
   */
  reportWatchers(storeId: string, open: number, settles = false): void {
    this.#reportedAt.set(storeId, ++this.#reportTick);
    this.#sql.setWatchers(storeId, open);
    if (settles) this.#sql.settleAdmission(storeId);
  }

  /** Whether `storeId` is registered (worker/store-gate.ts asks before reaching a store it has not seen). */
  has(storeId: string): boolean {
    return this.#sql.has(storeId);
  }

  /**
   * `has` for an identity the directory does not list: usually one that never wrote (then nothing is created
   * here), but possibly one whose stores predate the directory or whose listing failed. Such an identity is
   * listed now, so that the directory answers for it from then on.
   */
  async holds(storeId: string, identity: string): Promise<boolean> {
    if (!this.#db && !hasSchema(this.ctx.storage)) return false;
    const db = this.#sql;
    if (!db.has(storeId)) return false;
    if (!db.listed()) {
      await directoryFor(this.env, identity).add(identity);
      db.markListed();
    }
    return true;
  }

  stores(): string[] {
    return this.#sql.stores();
  }

  forget(storeId: string): void {
    this.#sql.forget(storeId);
  }

  /**
   * Removes everything this object holds, and the identity from the directory, if it lists no store any more;
   * false otherwise (a store registered meanwhile, so the deletion must go round again). Registrations wait
   * meanwhile, so one that follows the erase lists the identity again.
   */
  async eraseIfEmpty(identity: string): Promise<boolean> {
    const outcome = await this.ctx.blockConcurrencyWhile(async (): Promise<boolean | Error> => {
      if (this.#sql.stores().length > 0) return false;
      try {
        await directoryFor(this.env, identity).remove(identity);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
      await this.ctx.storage.deleteAll();
      this.#db = null;
      return true;
    });
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }
}

/** The account object of an identity (its own namespace: no name can collide with a store's). */
export function accountFor(env: Env, identity: string): DurableObjectStub<VssAccount> {
  return env.VSS_ACCOUNT.get(env.VSS_ACCOUNT.idFromName(identity));
}
