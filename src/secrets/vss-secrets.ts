import { DurableObject } from "cloudflare:workers";
import { SECRETS_MIGRATIONS } from "../../migrations";
import type { Env } from "../env";
import { migrate } from "../store/schema";
import { SecretsSql } from "./secrets-sql";

/** Bytes of every secret this object makes: a 256-bit key. */
const SECRET_BYTES = 32;

/**
 * The deployment's own random secrets (one object for the whole deployment): each is made on first use and kept
 * for good, so that every Worker isolate, wherever it runs, derives the same keys from it — today the key that
 * signs watch tickets (worker/watch-ticket.ts). Nothing here comes from a request.
 */
export class VssSecrets extends DurableObject<Env> {
  readonly #db: SecretsSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, SECRETS_MIGRATIONS);
    this.#db = new SecretsSql(ctx.storage.sql);
  }

  /** The secret called `name`: 32 random bytes made the first time it is asked for, the same ever after. */
  secret(name: string): Uint8Array {
    return this.ctx.storage.transactionSync(() => {
      const kept = this.#db.get(name);
      if (kept) return kept;
      const made = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
      this.#db.insert(name, made, Date.now());
      return made;
    });
  }
}

/** The one secrets object of the deployment (a fixed name: no request chooses it). */
export function secretsObject(env: Env): DurableObjectStub<VssSecrets> {
  return env.VSS_SECRETS.get(env.VSS_SECRETS.idFromName("deployment"));
}
