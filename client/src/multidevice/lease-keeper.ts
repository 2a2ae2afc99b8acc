import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CallOptions, VssClient } from "../client/vss-client.js";
import { ConflictError, InvalidRequestError, isFenced, LeaseLostError } from "../errors.js";
import type { Lease } from "../gen/multidevice_pb.js";
import type { DeleteObjectRequestSchema, DeleteObjectResponse, PutObjectRequestSchema, PutObjectResponse } from "../gen/vss_pb.js";
import { fixedHeaders } from "../headers/fixed.js";
import type { HeaderProvider } from "../headers/types.js";
import { SYSTEM_CLOCK, type Clock } from "./clock.js";

/** The header that fences a write (MULTIDEVICE.md §4). */
export const LEASE_HEADER = "vss-lease";

/** idle: never acquired; held: renewing; lost: refused, fenced or expired (reported once); released: given back. */
export type LeaseState = "idle" | "held" | "lost" | "released";

/** How a held lease was lost. */
export interface LeaseLoss {
  /** refused: a renewal was refused (taken over or expired at the server); fenced: a write was refused; expired: the local estimate ran out. */
  reason: "refused" | "fenced" | "expired";
  epoch: bigint;
  message: string;
}

/** What a {@link LeaseKeeper} needs; every duration has a default derived from the TTL. */
export interface LeaseKeeperOptions {
  storeId: string;
  /** A label for people ("Alice's phone"), 1–120 characters: what other devices see in getLease. */
  holder: string;
  /** 5–3600; default 30. */
  ttlSeconds?: number;
  /** Time from sending one renewal to sending the next; default a third of the TTL. */
  renewIntervalMs?: number;
  /** How long before the TTL (counted from when the request was sent) writes stop; default 10 % of it, at least 500 ms. */
  safetyMarginMs?: number;
  /** Called at once, and once, when the lease is lost. */
  onLost?: (loss: LeaseLoss) => void;
  /** Called after each successful renewal. */
  onRenewed?: (lease: Lease) => void;
  clock?: Clock;
}

/**
 * Holds a store's writer lease: acquires it, renews it on a schedule derived from the TTL (never from the server's
 * `expires_at_ms`: clocks differ), reports its loss at once, and never writes after a loss. Its fenced writes
 * refuse locally (LeaseLostError, `fenced:`) once the lease is lost or its local estimate of the expiry — the TTL
 * counted from when the last successful renewal was sent, less a safety margin — has passed.
 */
export class LeaseKeeper {
  readonly storeId: string;
  readonly holder: string;
  readonly ttlSeconds: number;
  readonly renewIntervalMs: number;
  readonly safetyMarginMs: number;
  readonly #client: VssClient;
  readonly #options: LeaseKeeperOptions;
  readonly #clock: Clock;
  #state: LeaseState = "idle";
  #lease: Lease | undefined;
  #loss: LeaseLoss | undefined;
  #validUntil = 0;
  #generation = 0;
  #acquiring = false;
  #renewTimer: unknown;
  #expiryTimer: unknown;
  #renewAbort: AbortController | undefined;
  #lostWaiters: ((loss: LeaseLoss) => void)[] = [];

  constructor(client: VssClient, options: LeaseKeeperOptions) {
    this.#client = client;
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.storeId = options.storeId;
    this.holder = options.holder;
    this.ttlSeconds = options.ttlSeconds ?? 30;
    const ttlMs = this.ttlSeconds * 1000;
    this.renewIntervalMs = options.renewIntervalMs ?? ttlMs / 3;
    this.safetyMarginMs = options.safetyMarginMs ?? Math.max(500, ttlMs / 10);
    if (!(this.renewIntervalMs > 0 && this.safetyMarginMs >= 0 && this.renewIntervalMs < ttlMs - this.safetyMarginMs)) {
      throw new RangeError("renewIntervalMs must be > 0 and shorter than the TTL less the safety margin");
    }
  }

  get state(): LeaseState {
    return this.#state;
  }

  /** The lease as last granted or renewed (its token included), while held or after it was lost or released. */
  get lease(): Lease | undefined {
    return this.#lease;
  }

  /** Why the lease was lost, once it was. */
  get loss(): LeaseLoss | undefined {
    return this.#loss;
  }

  /** Milliseconds this keeper will still write without a further renewal (0 unless held). */
  get validForMs(): number {
    return this.#state === "held" ? Math.max(0, this.#validUntil - this.#clock.now()) : 0;
  }

  /**
   * Takes the lease (a new epoch and token) and starts renewing it. ConflictError, naming the holder and the
   * seconds left, while another lease is live, unless `force`: a takeover ends the other lease at once.
   */
  async acquire(options: { force?: boolean; signal?: AbortSignal } = {}): Promise<Lease> {
    if (this.#state === "held" || this.#acquiring) throw new Error("this keeper already holds or is acquiring the lease");
    this.#acquiring = true;
    try {
      const sentAt = this.#clock.now();
      const request = { storeId: this.storeId, holder: this.holder, ttlSeconds: this.ttlSeconds, force: options.force ?? false };
      const lease = await this.#client.acquireLease(request, { signal: options.signal });
      this.#generation++;
      this.#state = "held";
      this.#loss = undefined;
      this.#lease = lease;
      this.#extend(sentAt);
      return lease;
    } finally {
      this.#acquiring = false;
    }
  }

  /** Stops renewing and gives the lease back, so another device may take it at once. */
  async release(options: CallOptions = {}): Promise<void> {
    if (this.#state !== "held" || !this.#lease) return;
    this.#state = "released";
    this.#stopTimers();
    await this.#client.releaseLease({ storeId: this.storeId, token: this.#lease.token }, options);
  }

  /** Stops renewing (a device going to sleep): the lease is reported lost when the local estimate runs out. */
  stopRenewing(): void {
    this.#clock.clearTimeout(this.#renewTimer);
    this.#renewAbort?.abort(new Error("renewing stopped"));
  }

  /** Resolves when the lease is lost (at once if it already was). */
  whenLost(): Promise<LeaseLoss> {
    if (this.#loss) return Promise.resolve(this.#loss);
    return new Promise((resolve) => this.#lostWaiters.push(resolve));
  }

  /** putObjects fenced by the lease: refused locally unless it is held and within its local estimate. */
  async putObjects(request: MessageInitShape<typeof PutObjectRequestSchema>, options: CallOptions = {}): Promise<PutObjectResponse> {
    const fenced = this.#fencedOptions(request.storeId, options);
    return this.#watchFencing(this.#client.putObjects(request, fenced));
  }

  /** deleteObject fenced by the lease, as {@link putObjects}. */
  async deleteObject(request: MessageInitShape<typeof DeleteObjectRequestSchema>, options: CallOptions = {}): Promise<DeleteObjectResponse> {
    const fenced = this.#fencedOptions(request.storeId, options);
    return this.#watchFencing(this.#client.deleteObject(request, fenced));
  }

  /**
   * `{ "vss-lease": token }` of the lease acquired last, for a writer this keeper does not wrap (ldk-node's
   * `build_with_vss_store_and_fixed_headers`): renewals keep the token, and once the lease is lost the server
   * refuses every write that carries it. LeaseLostError before the first acquire.
   */
  leaseHeaders(): Record<string, string> {
    if (!this.#lease) throw new LeaseLostError("no lease was acquired yet");
    return { [LEASE_HEADER]: this.#lease.token };
  }

  /** `inner`'s headers plus {@link leaseHeaders} on every request: fences an unmodified VssClient's writes. */
  headerProvider(inner: HeaderProvider = fixedHeaders()): HeaderProvider {
    return { getHeaders: async (body) => ({ ...(await inner.getHeaders(body)), ...this.leaseHeaders() }) };
  }

  /** The call's options with a `vss-lease` header checked before every attempt (a retry included). */
  #fencedOptions(storeId: string | undefined, options: CallOptions): CallOptions {
    if ((storeId ?? "") !== this.storeId) throw new InvalidRequestError(`this lease fences store ${JSON.stringify(this.storeId)}, not ${JSON.stringify(storeId ?? "")}`);
    const own = options.headers;
    this.#writableToken();
    return { ...options, headers: () => ({ ...(typeof own === "function" ? own() : own), [LEASE_HEADER]: this.#writableToken() }) };
  }

  /** The token, if a write may be sent now; else LeaseLostError (and the loss reported, if this is how it shows). */
  #writableToken(): string {
    if (this.#state === "held" && this.#clock.now() >= this.#validUntil) this.#lose("expired", "the lease's local estimate ran out before a renewal succeeded");
    if (this.#state !== "held" || !this.#lease) throw new LeaseLostError(this.#loss?.message ?? `no lease held (${this.#state})`);
    return this.#lease.token;
  }

  async #watchFencing<T>(write: Promise<T>): Promise<T> {
    const generation = this.#generation;
    try {
      return await write;
    } catch (error) {
      if (isFenced(error) && generation === this.#generation) this.#lose("fenced", error.message);
      throw error;
    }
  }

  /** A grant or renewal sent at `sentAt` succeeded: writes are allowed until `sentAt + TTL − margin`. */
  #extend(sentAt: number): void {
    this.#validUntil = sentAt + this.ttlSeconds * 1000 - this.safetyMarginMs;
    this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = this.#clock.setTimeout(
      () => this.#lose("expired", "the lease's local estimate ran out before a renewal succeeded"),
      this.#validUntil - this.#clock.now(),
    );
    this.#scheduleRenewal(sentAt + this.renewIntervalMs - this.#clock.now());
  }

  #scheduleRenewal(delayMs: number): void {
    this.#clock.clearTimeout(this.#renewTimer);
    this.#renewTimer = this.#clock.setTimeout(() => void this.#renew(), Math.max(0, delayMs));
  }

  async #renew(): Promise<void> {
    const generation = this.#generation;
    const lease = this.#lease;
    if (this.#state !== "held" || !lease) return;
    const abort = (this.#renewAbort = new AbortController());
    const sentAt = this.#clock.now();
    let renewed: Lease;
    try {
      renewed = await this.#client.renewLease({ storeId: this.storeId, token: lease.token, ttlSeconds: this.ttlSeconds }, { signal: abort.signal });
    } catch (error) {
      if (generation !== this.#generation || this.#state !== "held" || abort.signal.aborted) return;
      if (error instanceof ConflictError) return this.#lose("refused", error.message);
      // A transient failure: try again soon; the expiry timer reports the loss if no renewal succeeds in time.
      return this.#scheduleRenewal(Math.max(50, Math.min(1000, this.renewIntervalMs / 4)));
    }
    if (generation !== this.#generation || this.#state !== "held") return;
    if (this.#clock.now() >= this.#validUntil) return this.#lose("expired", "a renewal answered after the lease's local estimate ran out");
    this.#lease = renewed;
    this.#extend(sentAt);
    this.#options.onRenewed?.(renewed);
  }

  #lose(reason: LeaseLoss["reason"], message: string): void {
    if (this.#state !== "held" || !this.#lease) return;
    this.#state = "lost";
    this.#stopTimers();
    const loss: LeaseLoss = { reason, epoch: this.#lease.epoch, message };
    this.#loss = loss;
    for (const resolve of this.#lostWaiters.splice(0)) resolve(loss);
    try {
      this.#options.onLost?.(loss);
    } catch (error) {
      // The keeper's state is already right; surface the callback's failure without unwinding the caller.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #stopTimers(): void {
    this.#clock.clearTimeout(this.#renewTimer);
    this.#clock.clearTimeout(this.#expiryTimer);
    this.#renewAbort?.abort(new Error("lease no longer held"));
  }
}
