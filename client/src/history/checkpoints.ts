import { CANONICAL_REVISION, DIGEST_HEX, INCARNATION_HEX } from "./head.js";

/**
 * The highest head a client has seen and proven for one store (HISTORY.md §6), with what it learned on the way:
 * the store's incarnation (to tell an erasure from a rollback) and its global version (for the writer's shortcut).
 */
export interface Checkpoint {
  revision: bigint;
  /** The digest of `revision`, 64 lower-case hex. */
  digest: string;
  /** The store's incarnation, 32 hex digits; "" while the store was never written; absent when not yet learned. */
  incarnation?: string;
  /** The store's global version after `revision`, when known. */
  globalVersion?: bigint;
}

/**
 * Where checkpoints persist, one per checkpoint key ({@link checkpointKey}). Either method may be synchronous or
 * return a promise. A checkpoint is only ever replaced by a higher, proven one (or after an acknowledged erasure).
 */
export interface CheckpointStore {
  get(key: string): Checkpoint | undefined | Promise<Checkpoint | undefined>;
  set(key: string, checkpoint: Checkpoint): void | Promise<void>;
}

/**
 * The key of one store's checkpoint: the server's base URL, an identity the app chooses (e.g. its sigs public key,
 * so that one checkpoint store can serve several wallets) and the store id, joined unambiguously.
 */
export function checkpointKey(baseUrl: string, identity: string, storeId: string): string {
  return JSON.stringify([baseUrl, identity, storeId]);
}

/** Checkpoints in memory: the default, lost with the process (a restart trusts the first head it sees again). */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #checkpoints = new Map<string, Checkpoint>();

  get(key: string): Checkpoint | undefined {
    const found = this.#checkpoints.get(key);
    return found && { ...found };
  }

  set(key: string, checkpoint: Checkpoint): void {
    this.#checkpoints.set(key, { ...checkpoint });
  }
}

/** The part of the Web Storage API a {@link StorageCheckpointStore} uses: `localStorage`, or anything alike. */
export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
}

interface StoredCheckpoint {
  revision: string;
  digest: string;
  incarnation?: string;
  globalVersion?: string;
}

const VERSION = /^-?[0-9]+$/;

function parse(key: string, text: string): Checkpoint {
  const stored = JSON.parse(text) as Partial<StoredCheckpoint>;
  const ok =
    typeof stored.revision === "string" && CANONICAL_REVISION.test(stored.revision) &&
    typeof stored.digest === "string" && DIGEST_HEX.test(stored.digest) &&
    (stored.incarnation === undefined || INCARNATION_HEX.test(stored.incarnation)) &&
    (stored.globalVersion === undefined || VERSION.test(stored.globalVersion));
  // A damaged checkpoint is not silently dropped: that would let the next head through unproven.
  if (!ok) throw new TypeError(`the stored checkpoint ${key} is damaged: ${text.slice(0, 200)}`);
  return {
    revision: BigInt(stored.revision as string),
    digest: stored.digest as string,
    ...(stored.incarnation === undefined ? {} : { incarnation: stored.incarnation }),
    ...(stored.globalVersion === undefined ? {} : { globalVersion: BigInt(stored.globalVersion) }),
  };
}

/**
 * Checkpoints as JSON strings in a `{ getItem, setItem }` storage: `localStorage` in a browser, AsyncStorage in
 * React Native, a file-backed map in Node. Items are named `prefix + key`.
 */
export class StorageCheckpointStore implements CheckpointStore {
  constructor(
    readonly storage: KeyValueStorage,
    readonly prefix = "vss-checkpoint:",
  ) {}

  async get(key: string): Promise<Checkpoint | undefined> {
    const text = await this.storage.getItem(this.prefix + key);
    return text === null ? undefined : parse(this.prefix + key, text);
  }

  async set(key: string, checkpoint: Checkpoint): Promise<void> {
    const stored: StoredCheckpoint = { revision: checkpoint.revision.toString(), digest: checkpoint.digest };
    if (checkpoint.incarnation !== undefined) stored.incarnation = checkpoint.incarnation;
    if (checkpoint.globalVersion !== undefined) stored.globalVersion = checkpoint.globalVersion.toString();
    await this.storage.setItem(this.prefix + key, JSON.stringify(stored));
  }
}
