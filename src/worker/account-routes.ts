import { Hono } from "hono";
import { accountFor } from "../account/vss-account";
import { configOf } from "../config";
import type { Env } from "../env";
import { authFailed, invalidRequest, rateLimited } from "../errors";
import { clientAddress, RATE_LIMIT_RETRY_AFTER_SECONDS, withinLimit } from "./rate-limit";
import { storeFor } from "./store-client";

/** How many times deletion lists the stores again when writes keep creating new ones meanwhile. */
const DELETION_ROUNDS = 5;

/**
 * Deletes every store of `identity`, then its account record. A store is forgotten before it is erased: a write
 * that lands after the erase re-registers its store, so the next round (or the next deletion) finds it, and no
 * store with data is ever left unknown to the account. Idempotent. Returns how many stores were erased.
 */
export async function deleteIdentity(env: Env, identity: string): Promise<number> {
  const account = accountFor(env, identity);
  let erased = 0;
  for (let round = 0; round < DELETION_ROUNDS; round++) {
    const stores = await account.stores();
    for (const storeId of stores) {
      await account.forget(storeId);
      await storeFor(env, identity, storeId).erase();
    }
    erased += stores.length;
    if (await account.eraseIfEmpty()) return erased;
  }
  throw new Error(`stores of one identity kept being created during ${DELETION_ROUNDS} deletion rounds`);
}

const encoder = new TextEncoder();

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

/**
 * The operator's routes, under /admin, behind `authorization: Bearer <VSS_ADMIN_TOKEN>`; answered as an unknown
 * path while no token is configured. `DELETE /admin/identities/<namespaced identity>` erases one identity's data.
 */
export function adminRoutes(): Hono<{ Bindings: Env }> {
  const admin = new Hono<{ Bindings: Env }>();
  admin.use("*", async function requireAdminToken(c, next) {
    const token = configOf(c.env).adminToken;
    if (token === null) throw invalidRequest("unknown path");
    const address = clientAddress(c.req.raw);
    if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_ADDRESS", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
    const header = (c.req.header("authorization") ?? "").trim();
    if (!header.startsWith("Bearer ") || !sameSecret(header.slice(7), token)) {
      // A wrong admin token counts as a failed authentication of the address, like any other credential.
      if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_AUTH_FAILURES", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
      throw authFailed();
    }
    await next();
  });
  admin.delete("/identities/:identity", async (c) => {
    const identity = c.req.param("identity");
    if (!/^[a-z]+:./.test(identity)) throw invalidRequest('identity must be namespaced by its scheme, as in "sigs:02ab…"');
    const storesDeleted = await deleteIdentity(c.env, identity);
    return c.json({ identity, storesDeleted });
  });
  return admin;
}
