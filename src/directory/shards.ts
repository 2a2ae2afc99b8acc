import type { Env } from "../env";
import type { VssDirectory } from "./vss-directory";

/**
 * Identities are spread over this many directory objects by a hash of their name, so that listing a million
 * identities touches no single object much. Fixed: changing it would need every identity listed again.
 */
export const DIRECTORY_SHARDS = 16;

/** FNV-1a over the UTF-16 code units: stable, cheap, and only used to spread identities over the shards. */
export function shardOf(identity: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < identity.length; i++) {
    hash ^= identity.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DIRECTORY_SHARDS;
}

/** The directory object of shard `shard` (0 … DIRECTORY_SHARDS − 1). */
export function directoryShard(env: Env, shard: number): DurableObjectStub<VssDirectory> {
  return env.VSS_DIRECTORY.get(env.VSS_DIRECTORY.idFromName(`shard-${shard}`));
}

/** The directory object that lists `identity`. */
export function directoryFor(env: Env, identity: string): DurableObjectStub<VssDirectory> {
  return directoryShard(env, shardOf(identity));
}

/** Where a listing stopped: the shard and the last identity returned from it. */
export interface DirectoryCursor {
  shard: number;
  after: string;
}

/**
 * One page of the whole directory: shard by shard, identities in byte order within a shard. The cursor is
 * opaque to callers (base64url of JSON) and absent after the last page.
 */
export async function listIdentities(env: Env, cursor: DirectoryCursor, limit: number): Promise<{ identities: string[]; next?: DirectoryCursor }> {
  const identities: string[] = [];
  let { shard, after } = cursor;
  while (shard < DIRECTORY_SHARDS && identities.length < limit) {
    const page = await directoryShard(env, shard).page(after, limit - identities.length);
    identities.push(...page);
    if (identities.length < limit) {
      shard++;
      after = "";
    } else {
      after = page.at(-1) ?? after;
    }
  }
  return { identities, next: shard < DIRECTORY_SHARDS ? { shard, after } : undefined };
}
