import { VssError } from "../errors.js";
import type { RetryPolicy } from "./policy.js";

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Hooks for tests and callers that want to watch or speed up retries. */
export interface RetryOptions {
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (error: VssError, attemptsMade: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds or `policy` gives up. Only VssErrors are retried: a caller's abort and any
 * other exception surface at once, and a version mismatch is never retried whatever the policy says.
 */
export async function runWithRetry<T>(operation: () => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  let attemptsMade = 0;
  let accumulatedDelayMs = 0;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof VssError) || error.kind === "version-mismatch" || options.signal?.aborted) throw error;
      attemptsMade++;
      const delayMs = policy.nextDelayMs({ attemptsMade, accumulatedDelayMs, error });
      if (delayMs === null) throw error;
      options.onRetry?.(error, attemptsMade, delayMs);
      await sleep(delayMs, options.signal);
      accumulatedDelayMs += delayMs;
    }
  }
}
