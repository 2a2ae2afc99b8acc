import type { VssError } from "../errors.js";

/** What a policy sees after a failed attempt. */
export interface RetryContext {
  /** Attempts made so far, including the one that just failed (≥ 1). */
  attemptsMade: number;
  /** Sum of the delays already waited between attempts, in milliseconds (not the time the attempts took). */
  accumulatedDelayMs: number;
  /** The failure of the attempt that just ended. */
  error: VssError;
}

/** Decides whether to try again and after how long; `null` stops and surfaces the error. */
export interface RetryPolicy {
  nextDelayMs(context: RetryContext): number | null;
}

/** Never retries. */
export const NO_RETRY: RetryPolicy = { nextDelayMs: () => null };

/** Exponential backoff: base × (2^attempts − 1), i.e. base, 3×, 7×, 15× … Unbounded on its own. */
export function exponentialBackoff(baseMs: number): RetryPolicy {
  if (!(baseMs >= 0)) throw new RangeError("baseMs must be ≥ 0");
  return { nextDelayMs: ({ attemptsMade }) => baseMs * (2 ** attemptsMade - 1) };
}

/** Stops once `maxAttempts` attempts have been made. */
export function withMaxAttempts(inner: RetryPolicy, maxAttempts: number): RetryPolicy {
  if (!(maxAttempts >= 1)) throw new RangeError("maxAttempts must be ≥ 1");
  return { nextDelayMs: (context) => (context.attemptsMade >= maxAttempts ? null : inner.nextDelayMs(context)) };
}

/** Stops when the delays already waited plus the next one would exceed `maxTotalMs`. */
export function withMaxTotalDelay(inner: RetryPolicy, maxTotalMs: number): RetryPolicy {
  return {
    nextDelayMs(context) {
      const next = inner.nextDelayMs(context);
      return next !== null && context.accumulatedDelayMs + next > maxTotalMs ? null : next;
    },
  };
}

/** Adds uniform random jitter in [0, maxJitterMs) to every delay of `inner`. */
export function withMaxJitter(inner: RetryPolicy, maxJitterMs: number, random: () => number = Math.random): RetryPolicy {
  return {
    nextDelayMs(context) {
      const next = inner.nextDelayMs(context);
      return next === null ? null : next + random() * maxJitterMs;
    },
  };
}

/** Does not retry errors for which `skip` returns true. */
export function skipRetryOn(inner: RetryPolicy, skip: (error: VssError) => boolean): RetryPolicy {
  return { nextDelayMs: (context) => (skip(context.error) ? null : inner.nextDelayMs(context)) };
}

/** ldk-node's policy numbers (CLIENTS.md §2). */
export const LDK_NODE_RETRY = { baseMs: 10, maxAttempts: 100, maxTotalDelayMs: 180_000, maxJitterMs: 100 } as const;

/** A verifying client's refusals (HISTORY.md §6): the app must be told, not kept waiting. */
const HISTORY_REFUSALS: ReadonlySet<VssError["kind"]> = new Set(["rollback", "fork", "replayed-value", "unverifiable-gap", "incarnation-changed", "audit"]);

/** Errors that a retry cannot fix: the answer would be the same. */
export function isPermanent(error: VssError): boolean {
  return error.kind === "no-such-key" || error.kind === "invalid-request" || error.kind === "conflict" || error.kind === "version-mismatch" || HISTORY_REFUSALS.has(error.kind);
}

/** ldk-node's default: 10 ms backoff, 100 attempts, 180 s total, ≤ 100 ms jitter, no retry on permanent errors. */
export function ldkNodeRetryPolicy(random: () => number = Math.random): RetryPolicy {
  const { baseMs, maxAttempts, maxTotalDelayMs, maxJitterMs } = LDK_NODE_RETRY;
  const bounded = withMaxTotalDelay(withMaxAttempts(exponentialBackoff(baseMs), maxAttempts), maxTotalDelayMs);
  return skipRetryOn(withMaxJitter(bounded, maxJitterMs, random), isPermanent);
}
