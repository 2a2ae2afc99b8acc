import { Hono } from "hono";
import { accountFor } from "../account/vss-account";
import { configOf } from "../config";
import type { Env } from "../env";
import { authFailed, invalidRequest } from "../errors";
import { storeFor } from "./store-client";

/**
 * Deletes every store of `identity`, then its account record. Each step is idempotent, so a deletion that
 * fails halfway is finished by calling it again. Returns how many stores were erased.
 */
export async function deleteIdentity(env: Env, identity: string): Promise<number> {
  const account = accountFor(env, identity);
  const stores = await account.stores();
  for (const storeId of stores) {
    await storeFor(env, identity, storeId).erase();
    await account.forget(storeId);
  }
  await account.erase();
  return stores.length;
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
    const header = c.req.header("authorization") ?? "";
    if (!header.startsWith("Bearer ") || !sameSecret(header.slice(7), token)) {
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
