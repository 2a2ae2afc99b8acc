import type { Checkpoint } from "./checkpoints.js";
import { toHex, type HistoryChange } from "./digest.js";
import type { StoreHead } from "./head.js";

/** A revision whose digest was recomputed from the one before it, or taken on the gap policy's word (`changes: null`). */
export interface VerifiedRevision {
  revision: bigint;
  digest: Uint8Array;
  /** Undefined only at a pre-history base, whose global version a walk does not learn. */
  globalVersion: bigint | undefined;
  committedAtMs?: bigint;
  /** In the digest's order; null when the server no longer retains them (a gap accepted by policy). */
  changes: HistoryChange[] | null;
}

/** A value written forward: `key` got at `revision` the value it had at `earlierRevision`. */
export interface Replay {
  key: string;
  revision: bigint;
  earlierRevision: bigint;
  valueSha256: string;
}

/** What the verified chain says a key holds at a revision, when it knows. */
export type Expectation =
  | { known: false }
  | { known: true; exists: false; revision: bigint }
  | { known: true; exists: true; revision: bigint; version: bigint; valueSha256: string };

interface Latest {
  revision: bigint;
  deleted: boolean;
  version: bigint;
  sha: string;
}

/** How many (key, value hash) pairs a chain remembers for replay detection, and revision digests for late answers. */
export const DEFAULT_REPLAY_MEMORY = 10_000;
const RECENT_DIGESTS = 1024;

/**
 * What a client knows of one store's chain: the proven head (revision, digest, global version, incarnation), each
 * key's last change since the chain was followed (for value audits), the value hashes each key had (for replay
 * detection, the last `replayMemory` of them) and the digests of recent revisions (to check a late answer).
 */
export class ChainState {
  revision: bigint;
  digest: Uint8Array;
  globalVersion: bigint | undefined;
  incarnation: string | undefined;
  /** True when every key's last change is known: followed from the store's genesis (or emptiness) with no gap. */
  complete: boolean;
  readonly #latest = new Map<string, Latest>();
  readonly #seen = new Map<string, bigint>();
  readonly #recent = new Map<bigint, string>();

  constructor(
    start: { revision: bigint; digest: Uint8Array; globalVersion?: bigint; incarnation?: string; complete?: boolean },
    readonly replayMemory = DEFAULT_REPLAY_MEMORY,
  ) {
    this.revision = start.revision;
    this.digest = start.digest;
    this.globalVersion = start.globalVersion;
    this.incarnation = start.incarnation;
    this.complete = start.complete ?? start.revision === 0n;
    this.#remember(start.revision, start.digest);
  }

  /** The proven head. */
  get head(): StoreHead {
    return { revision: this.revision, digest: toHex(this.digest) };
  }

  /** What a checkpoint store keeps of this state. */
  checkpoint(): Checkpoint {
    const checkpoint: Checkpoint = { revision: this.revision, digest: toHex(this.digest) };
    if (this.incarnation !== undefined) checkpoint.incarnation = this.incarnation;
    if (this.globalVersion !== undefined) checkpoint.globalVersion = this.globalVersion;
    return checkpoint;
  }

  /** The digest of a recently proven revision (hex), if this state still remembers it. */
  digestAt(revision: bigint): string | undefined {
    return this.#recent.get(revision);
  }

  /** Moves the head to the next proven revision; returns the values it wrote forward again. */
  commit(verified: VerifiedRevision): Replay[] {
    this.revision = verified.revision;
    this.digest = verified.digest;
    this.globalVersion = verified.globalVersion;
    this.#remember(verified.revision, verified.digest);
    if (verified.changes === null) {
      // Unknown changes: no key's last change is certain any more.
      this.#latest.clear();
      this.complete = false;
      return [];
    }
    const replays: Replay[] = [];
    for (const change of verified.changes) {
      const sha = change.deleted ? "" : toHex(change.valueSha256);
      this.#latest.set(change.key, { revision: verified.revision, deleted: change.deleted, version: change.version, sha });
      if (change.deleted) continue;
      const id = `${change.key}\u0000${sha}`;
      const earlier = this.#seen.get(id);
      if (earlier !== undefined) replays.push({ key: change.key, revision: verified.revision, earlierRevision: earlier, valueSha256: sha });
      this.#seen.delete(id);
      this.#seen.set(id, verified.revision);
      if (this.#seen.size > this.replayMemory) this.#seen.delete(this.#seen.keys().next().value as string);
    }
    return replays;
  }

  /** What `key` holds just after `revision` (≤ the head) according to the chain, when the chain knows. */
  expect(key: string, revision: bigint = this.revision): Expectation {
    const latest = this.#latest.get(key);
    if (latest && latest.revision <= revision) {
      return latest.deleted ? { known: true, exists: false, revision: latest.revision } : { known: true, exists: true, revision: latest.revision, version: latest.version, valueSha256: latest.sha };
    }
    if (!latest && this.complete) return { known: true, exists: false, revision };
    return { known: false };
  }

  /** The keys whose last change the chain knows, and that exist after it. */
  liveKeys(): string[] {
    return [...this.#latest].filter(([, latest]) => !latest.deleted).map(([key]) => key);
  }

  #remember(revision: bigint, digest: Uint8Array): void {
    this.#recent.set(revision, toHex(digest));
    if (this.#recent.size > RECENT_DIGESTS) this.#recent.delete(this.#recent.keys().next().value as bigint);
  }
}
