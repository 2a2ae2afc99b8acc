import { env, runInDurableObject } from "cloudflare:test";
import type { TestClient } from "./vss";

/** The Durable Object of a test client's store, named as the Worker names it (worker/store-client.ts). */
export function storeStub(client: TestClient, identity = `sigs:${client.key.publicKeyHex}`) {
  return env.VSS_STORE.get(env.VSS_STORE.idFromName(`${identity.length}:${identity}/${client.storeId}`));
}

/** Makes the store's live lease expire now (the server clock is the only judge; tests cannot wait minutes). */
export async function expire(device: TestClient): Promise<void> {
  await runInDurableObject(storeStub(device), (_o, state) => {
    state.storage.sql.exec("UPDATE lease SET expires_at = ?", Date.now() - 1);
  });
}

/** Resets the store's Durable Object: the next call runs in a fresh instance, from storage alone. */
export async function restart(device: TestClient): Promise<void> {
  await runInDurableObject(storeStub(device), (_o, state) => {
    try {
      state.abort("restart for a test");
    } catch {
      // abort() throws to end the current call
    }
  }).catch(() => undefined);
}
