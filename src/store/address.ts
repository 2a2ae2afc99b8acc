import type { Env } from "../env";
import type { VssStore } from "./vss-store";

export type Store = DurableObjectStub<VssStore>;

/**
 * The Durable Object of one (identity, store_id) pair. The name is length-prefixed so that no two pairs can
 * produce the same name, whatever characters they contain.
 */
export function storeFor(env: Env, identity: string, storeId: string): Store {
  return env.VSS_STORE.get(env.VSS_STORE.idFromName(storeName(identity, storeId)));
}

/** The name of the store object of (identity, store_id). */
export function storeName(identity: string, storeId: string): string {
  return `${identity.length}:${identity}/${storeId}`;
}
