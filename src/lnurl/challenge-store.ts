import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { Result } from "../store/types";
import { LNURL_MIGRATIONS } from "../../migrations";
import { migrate } from "../store/schema";
import { CHALLENGE_RETAIN_MS, ChallengeSql, type ChallengeError } from "./challenge-sql";

/** k1 values are spread over this many objects by their first hex digit, so no single object takes every login. */
export const CHALLENGE_SHARDS = 16;

/**
 * LNURL-auth challenges (k1) of one shard. Each k1 is issued once, expires, and can be consumed once: the object
 * serializes calls and `consume` is one conditional UPDATE, so two racing callbacks cannot both succeed.
 */
export class LnurlChallengeStore extends DurableObject<Env> {
  readonly #db: ChallengeSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, LNURL_MIGRATIONS);
    this.#db = new ChallengeSql(ctx.storage.sql);
  }

  /** Records a new challenge valid until `expiresAt` (ms); false if that k1 was ever issued before. */
  issue(k1: string, expiresAt: number): boolean {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      this.#db.purge(now - CHALLENGE_RETAIN_MS);
      return this.#db.insert(k1, expiresAt);
    });
  }

  /** Uses up a challenge: ok once, then `used`; `expired` after its time; `unknown` if never issued here. */
  consume(k1: string): Result<null, ChallengeError> {
    const error = this.ctx.storage.transactionSync(() => this.#db.consume(k1, Date.now()));
    return error === null ? { ok: true, value: null } : { ok: false, error };
  }
}

/** The shard that holds `k1` (64 lower-case hex characters). */
export function challengeStoreFor(namespace: DurableObjectNamespace<LnurlChallengeStore>, k1: string): DurableObjectStub<LnurlChallengeStore> {
  const shard = parseInt(k1.slice(0, 1), 16) % CHALLENGE_SHARDS;
  return namespace.get(namespace.idFromName(`lnurl-k1-${shard}`));
}
