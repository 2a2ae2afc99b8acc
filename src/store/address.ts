import type { Env } from "../env";
import type { VssStore } from "./vss-store";

export type Store = DurableObjectStub<VssStore>;

/** Ids already derived, per namespace (deriving one is an HMAC): the stores an isolate serves repeat. Bounded. */
const ID_CACHE_MAX = 10_000;
const ids = new WeakMap<object, Map<string, DurableObjectId>>();

function idOf(namespace: DurableObjectNamespace<VssStore>, name: string): DurableObjectId {
  let known = ids.get(namespace);
  if (!known) ids.set(namespace, (known = new Map()));
  let id = known.get(name);
  if (!id) {
    if (known.size >= ID_CACHE_MAX) known.clear();
    known.set(name, (id = namespace.idFromName(name)));
  }
  return id;
}

/**
 * The Durable Object of one (identity, store_id) pair. The name is length-prefixed so that no two pairs can
 * produce the same name, whatever characters they contain.
 */
export function storeFor(env: Env, identity: string, storeId: string): Store {
  return env.VSS_STORE.get(idOf(env.VSS_STORE, storeName(identity, storeId)));
}

/** The name of the store object of (identity, store_id). */
export function storeName(identity: string, storeId: string): string {
  return `${identity.length}:${identity}/${storeId}`;
}
