import { hexToBytes } from "@noble/hashes/utils.js";
import { InternalError, VssError } from "../errors.js";
import type { GetHistoryResponse } from "../gen/history_pb.js";
import type { KeyValue } from "../gen/vss_pb.js";
import { auditAnswer } from "./audit.js";
import { ChainState, type Replay, type VerifiedRevision } from "./chain.js";
import { checkpointKey, MemoryCheckpointStore, type Checkpoint, type CheckpointStore } from "./checkpoints.js";
import { digestOf, genesisDigest, revisionDigest, toHex, valueSha256 } from "./digest.js";
import { ForkError, IncarnationChangedError, ReplayedValueError, RollbackError } from "./errors.js";
import { followChain } from "./follow.js";
import type { StoreHead } from "./head.js";
import { liesOnChain, recordChanges, walkChain, type GapPolicy } from "./walk.js";
import type { OwnWrite } from "./writer.js";

/** The verifying mode of a VssClient (HISTORY.md §6); every field has a default. */
export interface VerifyOptions {
  /** Where each store's proven head persists; default: in memory (a restart trusts the first head it sees). */
  checkpoints?: CheckpointStore;
  /** Part of each checkpoint's key with the base URL and store id: set it when one checkpoint store serves several identities. */
  identity?: string;
  /** Keys whose old value written forward is refused (the call throws ReplayedValueError), not only reported. */
  critical?: (key: string) => boolean;
  /** Each old value written forward; default: console.warn. */
  onReplay?: (replay: ReplayedValueError) => void;
  /** A span the server no longer retains: return false to refuse (UnverifiableGapError); default: accept and console.warn. */
  onGap?: GapPolicy;
  /** The store was erased and written again: return true to start again from its new chain; default: refuse. */
  onIncarnationChange?: (change: IncarnationChangedError) => boolean | Promise<boolean>;
  /** Audit every value read against the chain (ValueAuditError); default false. A call's `audit` option overrides it. */
  audit?: boolean;
  /** How many (key, value hash) pairs each store remembers for replay detection; default 10 000. */
  replayMemory?: number;
}

/** One answer of a store-scoped call, as the verifier sees it. */
export interface ObservedAnswer {
  storeId: string;
  head: StoreHead | undefined;
  /** The proven revision when the request was sent ({@link HistoryVerifier.sentAt}). */
  sentAt: bigint | undefined;
  /** This client's own write: what it changed, if the answer is the next revision. */
  write?: () => OwnWrite | undefined;
  values?: readonly KeyValue[];
  missing?: readonly string[];
  audit?: boolean;
}

/** getHistory without verification (its answer's head is not observed): the verifier's own reads. */
export type RawHistory = (storeId: string, afterRevision: bigint, resumeKey: string | undefined, pageSize: number | undefined) => Promise<GetHistoryResponse>;

/** What a VssClient gives its verifier: its base URL and its unverified getHistory. */
export interface VerifierContext {
  baseUrl: string;
  history: RawHistory;
}

/** The `verify` option of a VssClient: makes the client's verifier (a function, so that pages that never verify bundle none of it). */
export type VerifierFactory = (context: VerifierContext) => HistoryVerifier;

/**
 * The verifying mode for `new VssClient(url, { verify: verifying({ checkpoints, … }) })` (HISTORY.md §6): every
 * store answer's head is checked against the store's checkpoint, and newer heads are proven before it is raised.
 */
export function verifying(options: VerifyOptions = {}): VerifierFactory {
  return ({ baseUrl, history }) => new HistoryVerifier(baseUrl, options, history);
}

const warn = (message: string) => (globalThis as { console?: { warn(m: string): void } }).console?.warn(message);

/**
 * Checks the head of every answer against the store's checkpoint (R*, D*): older → RollbackError; same revision,
 * other digest → ForkError; newer → proven before R* is raised (the writer's own next revision recomputed from
 * what it wrote, else every digest from D* with getHistory). Answers of one store are checked one at a time.
 */
export class HistoryVerifier {
  readonly #checkpoints: CheckpointStore;
  readonly #states = new Map<string, ChainState>();
  readonly #indexed = new WeakSet<ChainState>();
  readonly #flagged = new Map<string, ReplayedValueError>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly baseUrl: string,
    readonly options: VerifyOptions,
    readonly history: RawHistory,
  ) {
    this.#checkpoints = options.checkpoints ?? new MemoryCheckpointStore();
  }

  /** The checkpoint key of a store. */
  keyOf(storeId: string): string {
    return checkpointKey(this.baseUrl, this.options.identity ?? "", storeId);
  }

  /** The proven revision of a store when a request is sent (undefined: no checkpoint yet), for {@link ObservedAnswer.sentAt}. */
  async sentAt(storeId: string): Promise<bigint | undefined> {
    const key = this.keyOf(storeId);
    return this.#states.get(key)?.revision ?? (await this.#checkpoints.get(key))?.revision;
  }

  /** What this client has proven of a store's chain (undefined before its first answer). */
  chain(storeId: string): ChainState | undefined {
    return this.#states.get(this.keyOf(storeId));
  }

  /** Checks one answer; resolves when it is accepted, rejects with the refusal. */
  observe(answer: ObservedAnswer): Promise<void> {
    const key = this.keyOf(answer.storeId);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#observe(key, answer));
    this.#queues.set(key, next);
    void next.finally(() => this.#queues.get(key) === next && this.#queues.delete(key)).catch(() => undefined);
    return next;
  }

  async #observe(key: string, answer: ObservedAnswer): Promise<void> {
    const { head, storeId } = answer;
    if (!head) throw new InternalError(`store ${JSON.stringify(storeId)}: an answer without its head (vss-revision, vss-digest): the server offers no history, or something stripped them`);
    let state = await this.#load(key, storeId);
    if (!state) state = await this.#establish(key, storeId, head);
    else if (head.revision === state.revision) {
      if (head.digest !== toHex(state.digest)) state = await this.#refuse(key, state, answer, "fork");
    } else if (head.revision < state.revision) {
      // An answer served before revisions another call has since proven is accepted (not raised) if it is on the
      // chain; one older than what was proven when its request was sent is a rollback.
      const late = answer.sentAt === undefined || head.revision >= answer.sentAt;
      const verdict = late ? await this.#onChain(storeId, state, head) : "rollback";
      if (verdict !== "on") state = await this.#refuse(key, state, answer, verdict);
    } else {
      state = await this.#raise(key, state, answer);
    }
    for (const kv of answer.values ?? []) {
      const flagged = this.#flagged.get(`${key}\u0000${kv.key}`);
      if (flagged && toHex(valueSha256(kv.value)) === flagged.valueSha256) throw flagged;
    }
    if ((answer.audit ?? this.options.audit) && ((answer.values?.length ?? 0) > 0 || (answer.missing?.length ?? 0) > 0)) {
      if (!state.complete && !this.#indexed.has(state)) state = await this.#index(key, storeId, state);
      auditAnswer(state, storeId, head.revision, answer.values ?? [], answer.missing ?? []);
    }
  }

  /** The state of a store, adopting a higher checkpoint another client stored meanwhile. */
  async #load(key: string, storeId: string): Promise<ChainState | undefined> {
    const stored = await this.#checkpoints.get(key);
    const state = this.#states.get(key);
    if (stored && (!state || stored.revision > state.revision)) return this.#adopt(key, stored);
    if (stored && state && stored.revision === state.revision && stored.digest !== toHex(state.digest)) {
      throw new ForkError(storeId, state.head, stored, "another client stored a different digest for the same revision");
    }
    return state;
  }

  #adopt(key: string, checkpoint: Checkpoint): ChainState {
    const state = new ChainState({ ...checkpoint, digest: hexToBytes(checkpoint.digest), complete: false }, this.options.replayMemory);
    this.#states.set(key, state);
    return state;
  }

  /**
   * No checkpoint yet: the first head is taken as it is (nothing can be proven to a client without one), with its
   * incarnation and global version; its own changes are learned when they recompute to its digest.
   */
  async #establish(key: string, storeId: string, head: StoreHead): Promise<ChainState> {
    const checkpoint: Checkpoint = { revision: head.revision, digest: head.digest, incarnation: "" };
    let known: VerifiedRevision | undefined;
    if (head.revision > 0n) {
      const page = await this.history(storeId, head.revision >= 2n ? head.revision - 2n : 0n, undefined, 2);
      const pageHead = { revision: page.headRevision, digest: toHex(digestOf(page.headDigest)) };
      if (pageHead.revision < head.revision) throw new RollbackError(storeId, head, pageHead);
      const record = page.revisions.find((r) => r.revision === head.revision);
      if (record) {
        if (toHex(digestOf(record.digest)) !== head.digest) throw new ForkError(storeId, undefined, head, `getHistory's digest of revision ${head.revision} is not the answer's`);
        checkpoint.globalVersion = record.globalVersion;
        const before = page.revisions.find((r) => r.revision === head.revision - 1n);
        const previous = head.revision === 1n ? genesisDigest(page.incarnation, storeId) : before && digestOf(before.digest);
        const changes = recordChanges(record);
        if (previous && !record.changesPruned && !record.moreChanges && toHex(revisionDigest(previous, head.revision, record.globalVersion, changes)) === head.digest) {
          known = { revision: head.revision, digest: digestOf(record.digest), globalVersion: record.globalVersion, changes };
        }
      }
      checkpoint.incarnation = toHex(page.incarnation);
    }
    const state = this.#adopt(key, checkpoint);
    if (known) state.commit(known);
    await this.#checkpoints.set(key, checkpoint);
    return state;
  }

  /** Whether an older head lies on the proven chain; a span it cannot recompute counts as a rollback. */
  async #onChain(storeId: string, state: ChainState, head: StoreHead): Promise<"on" | "fork" | "rollback"> {
    try {
      return (await liesOnChain(storeId, (after, resumeKey, pageSize) => this.history(storeId, after, resumeKey, pageSize), state, head)) ? "on" : "fork";
    } catch (error) {
      if (error instanceof VssError) return "rollback";
      throw error;
    }
  }

  /** An older head or another digest: an erasure (another incarnation) if getHistory says so, else a rollback or a fork. */
  async #refuse(key: string, state: ChainState, answer: ObservedAnswer, kind: "rollback" | "fork"): Promise<ChainState> {
    const head = answer.head as StoreHead;
    const refusal = kind === "rollback" ? new RollbackError(answer.storeId, state.head, head) : new ForkError(answer.storeId, state.head, head, `revision ${head.revision} answered with another digest than the proven one`);
    let current: string;
    try {
      current = toHex((await this.history(answer.storeId, 0n, undefined, 1)).incarnation);
    } catch (cause) {
      throw Object.assign(refusal, { cause });
    }
    if (state.incarnation === undefined || current === state.incarnation) throw refusal;
    return this.#incarnationChanged(key, new IncarnationChangedError(answer.storeId, state.incarnation, current, state.head, head), head);
  }

  async #incarnationChanged(key: string, change: IncarnationChangedError, head: StoreHead): Promise<ChainState> {
    if (!(await this.options.onIncarnationChange?.(change))) throw change;
    return this.#establish(key, change.storeId, head);
  }

  /** A newer head: proven by the writer's shortcut or by getHistory from the checkpoint, then the checkpoint raised. */
  async #raise(key: string, state: ChainState, answer: ObservedAnswer): Promise<ChainState> {
    const head = answer.head as StoreHead;
    const proven: VerifiedRevision[] = [];
    const own = answer.write && head.revision === state.revision + 1n && state.revision > 0n ? answer.write() : undefined;
    const globalVersion = own?.globalVersion ?? state.globalVersion;
    const digest = own && globalVersion !== undefined ? revisionDigest(state.digest, head.revision, globalVersion, own.changes) : undefined;
    if (own && digest && toHex(digest) === head.digest) {
      proven.push({ revision: head.revision, digest, globalVersion, changes: own.changes });
    } else {
      try {
        const end = await walkChain({
          storeId: answer.storeId,
          fetchPage: (after, resumeKey, pageSize) => this.history(answer.storeId, after, resumeKey, pageSize),
          from: { revision: state.revision, digest: state.digest, incarnation: state.incarnation },
          until: head.revision,
          onGap: (gap) => this.#onGap(gap),
          onRevision: (verified) => proven.push(verified),
        });
        if (end.revision !== head.revision || toHex(end.digest) !== head.digest) {
          throw new ForkError(answer.storeId, state.head, head, `the chain recomputed from the checkpoint reaches revision ${end.revision} (${toHex(end.digest).slice(0, 16)}…), not the answer's head`);
        }
        if (state.incarnation === undefined || state.incarnation === "") state.incarnation = end.incarnation;
      } catch (error) {
        if (!(error instanceof IncarnationChangedError)) throw error;
        return this.#incarnationChanged(key, error, head);
      }
    }
    const replays = proven.flatMap((verified) => state.commit(verified));
    await this.#checkpoints.set(key, state.checkpoint());
    this.#report(key, answer.storeId, replays);
    return state;
  }

  #report(key: string, storeId: string, replays: Replay[]): void {
    let refused: ReplayedValueError | undefined;
    for (const replay of replays) {
      const error = new ReplayedValueError(storeId, replay.key, replay.revision, replay.earlierRevision, replay.valueSha256);
      (this.options.onReplay ?? ((e: ReplayedValueError) => warn(e.message)))(error);
      if (this.options.critical?.(replay.key)) {
        this.#flagged.set(`${key}\u0000${replay.key}`, error);
        refused ??= error;
      }
    }
    if (refused) throw refused;
  }

  async #onGap(gap: Parameters<GapPolicy>[0]): Promise<boolean | void> {
    if (this.options.onGap) return this.options.onGap(gap);
    warn(`vss history: store ${JSON.stringify(gap.storeId)}: revisions ${gap.fromRevision + 1n}…${gap.toRevision} are pruned at the server; accepted unproven`);
    return true;
  }

  /** Audits need every key's last change: follow the retained chain from its base to the proven head, once. */
  async #index(key: string, storeId: string, state: ChainState): Promise<ChainState> {
    const followed = await followChain({
      storeId,
      fetchPage: (after, resumeKey, pageSize) => this.history(storeId, after, resumeKey, pageSize),
      checkpoint: state.checkpoint(),
      until: state.revision,
      onGap: (gap) => this.#onGap(gap),
      replayMemory: this.options.replayMemory,
    });
    const chain = followed.chain;
    if (chain.revision !== state.revision || toHex(chain.digest) !== toHex(state.digest)) throw new ForkError(storeId, state.head, chain.head, "the retained chain does not lead to the proven head");
    chain.globalVersion ??= state.globalVersion;
    this.#states.set(key, chain);
    this.#indexed.add(chain);
    return chain;
  }
}
