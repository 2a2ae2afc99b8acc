import { accountFor } from "../account/vss-account";
import { directoryFor } from "../directory/shards";
import type { Env } from "../env";
import type { PutFailure, Result, WriteContext } from "../store/types";
import { storeFor, storeName, type Store } from "../store/address";

/**
 * Stores this isolate has seen exist, by object name (value: the identity, to forget them all at once), oldest use
 * first. Bounded: ~10 000 names of at most a few hundred bytes each.
 */
const KNOWN_MAX = 10_000;
const known = new Map<string, string>();

function remember(name: string, identity: string): void {
  known.delete(name);
  known.set(name, identity);
  if (known.size > KNOWN_MAX) known.delete(known.keys().next().value ?? name);
}

/**
 * The object of a store that exists, or null. A Durable Object that is reached exists from then on (locally, a
 * SQLite file each), so a store this isolate has not seen is first looked up where its creation was recorded:
 * its identity's account, which registers every store before its first write. The identity directory (16 fixed
 * objects) says whether the identity holds stores at all; for one it does not list, the account is asked all the
 * same (account.holds: it creates nothing for an identity that never wrote, and lists one that holds stores but
 * was not listed — stores older than the directory), so no existing store is ever answered as empty. Only a store
 * found — or seen before — is reached; a read of any other answers as an empty store (store/core/absent.ts).
 */
export async function existingStore(env: Env, identity: string, storeId: string): Promise<Store | null> {
  const name = storeName(identity, storeId);
  if (!known.has(name)) {
    const account = accountFor(env, identity);
    const listed = await directoryFor(env, identity).has(identity);
    if (!(listed ? await account.has(storeId) : await account.holds(storeId, identity))) return null;
  }
  remember(name, identity);
  return storeFor(env, identity, storeId);
}

/**
 * The object of a store a write is about to create: a store that does not exist yet is registered with its
 * account first (which lists the identity in the directory), so the store quota refuses it before any object is
 * reached. A registered store whose write then fails is forgotten by its object again (store/core/writes.ts).
 */
export async function storeToCreate(env: Env, context: Pick<WriteContext, "identity" | "storeId" | "identityStores">): Promise<Result<Store, PutFailure>> {
  const existing = await existingStore(env, context.identity, context.storeId);
  if (existing) return { ok: true, value: existing };
  let registered: Result<null, string>;
  try {
    registered = await accountFor(env, context.identity).register(context.storeId, context.identityStores, context.identity);
  } catch (error) {
    return { ok: false, error: { kind: "unavailable", message: `account object unavailable: ${String(error)}` } };
  }
  if (!registered.ok) return { ok: false, error: { kind: "quota", message: registered.error } };
  remember(storeName(context.identity, context.storeId), context.identity);
  return { ok: true, value: storeFor(env, context.identity, context.storeId) };
}

/** After a refused write: the store may have been reclaimed empty, so it is looked up again next time. */
export function forgetStore(identity: string, storeId: string): void {
  known.delete(storeName(identity, storeId));
}

/** After an identity's stores were erased. */
export function forgetIdentity(identity: string): void {
  for (const [name, owner] of known) if (owner === identity) known.delete(name);
}
