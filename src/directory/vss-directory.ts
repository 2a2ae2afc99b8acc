import { DurableObject } from "cloudflare:workers";
import { DIRECTORY_MIGRATIONS } from "../../migrations";
import type { Env } from "../env";
import { migrate } from "../store/schema";
import { DirectorySql } from "./directory-sql";

/**
 * One shard of the identity directory: which identities hold stores, so that an operator can enumerate the
 * deployment (a Durable Object's name cannot be recovered from its id). Written once per identity, by its account
 * object when its first store registers; read by /admin and by the Worker before it reaches a store it has not seen.
 */
export class VssDirectory extends DurableObject<Env> {
  #db: DirectorySql | null = null;

  get #sql(): DirectorySql {
    if (!this.#db) {
      migrate(this.ctx.storage, DIRECTORY_MIGRATIONS);
      this.#db = new DirectorySql(this.ctx.storage.sql);
    }
    return this.#db;
  }

  /** Lists `identity`; idempotent. */
  add(identity: string): void {
    this.#sql.add(identity, Date.now());
  }

  /** Whether `identity` holds stores (the Worker asks before it reaches a store it has not seen: worker/store-gate.ts). */
  has(identity: string): boolean {
    return this.#sql.has(identity);
  }

  /** Forgets `identity` (its account was erased); idempotent. */
  remove(identity: string): void {
    this.#sql.remove(identity);
  }

  /** Up to `limit` identities after `after`, in byte order. */
  page(after: string, limit: number): string[] {
    return this.#sql.page(after, limit);
  }

  count(): number {
    return this.#sql.count();
  }
}
