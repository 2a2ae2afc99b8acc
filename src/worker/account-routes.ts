import { accountFor } from "../account/vss-account";
import type { Env } from "../env";
import { storeFor } from "../store/address";
import { directoryFor } from "../directory/shards";
import { forgetIdentity } from "./store-gate";

/** How many times deletion lists the stores again when writes keep creating new ones meanwhile. */
const DELETION_ROUNDS = 5;

/**
 * Deletes every store of `identity`, then its account record. A store is forgotten before it is erased: a write
 * that lands after the erase re-registers its store, so the next round (or the next deletion) finds it, and no
 * store with data is ever left unknown to the account. Idempotent. Returns how many stores were erased.
 */
export async function deleteIdentity(env: Env, identity: string): Promise<number> {
  forgetIdentity(identity);
  // An identity the directory does not list never registered a store: nothing to delete, and no account to reach.
  if (!(await directoryFor(env, identity).has(identity))) return 0;
  const account = accountFor(env, identity);
  let erased = 0;
  for (let round = 0; round < DELETION_ROUNDS; round++) {
    const stores = await account.stores();
    for (const storeId of stores) {
      await account.forget(storeId);
      await storeFor(env, identity, storeId).erase();
    }
    erased += stores.length;
    if (await account.eraseIfEmpty(identity)) {
      forgetIdentity(identity);
      return erased;
    }
  }
  throw new Error(`stores of one identity kept being created during ${DELETION_ROUNDS} deletion rounds`);
}
