import { describe, expect, it } from "vitest";
import {
  AuthError,
  ConflictError,
  InternalError,
  InvalidRequestError,
  NoSuchKeyError,
  VersionMismatchError,
  exponentialBackoff,
  ldkNodeRetryPolicy,
  runWithRetry,
  skipRetryOn,
  withMaxAttempts,
  withMaxJitter,
  withMaxTotalDelay,
  type RetryPolicy,
  type VssError,
} from "../../../src/index.js";

const internal = new InternalError("boom");
const delays = (policy: RetryPolicy, error: VssError = internal, count = 6) => {
  const out: (number | null)[] = [];
  let accumulatedDelayMs = 0;
  for (let attemptsMade = 1; attemptsMade <= count; attemptsMade++) {
    const next = policy.nextDelayMs({ attemptsMade, accumulatedDelayMs, error });
    out.push(next);
    if (next === null) break;
    accumulatedDelayMs += next;
  }
  return out;
};

describe("retry policy building blocks", () => {
  it("backs off exponentially: base, 3×, 7×, 15×", () => {
    expect(delays(exponentialBackoff(10), internal, 4)).toEqual([10, 30, 70, 150]);
  });

  it("stops after N attempts", () => {
    expect(delays(withMaxAttempts(exponentialBackoff(10), 3))).toEqual([10, 30, null]);
  });

  it("stops when accumulated plus next delay would exceed the total", () => {
    // 10 + 30 + 70 = 110 ≤ 110; the next (150) would make 260.
    expect(delays(withMaxTotalDelay(exponentialBackoff(10), 110))).toEqual([10, 30, 70, null]);
  });

  it("adds jitter below the maximum", () => {
    expect(delays(withMaxJitter(exponentialBackoff(10), 100, () => 0.5), internal, 2)).toEqual([60, 80]);
    const random = delays(withMaxJitter(exponentialBackoff(0), 100), internal, 6);
    for (const delay of random) expect(delay).toBeGreaterThanOrEqual(0), expect(delay).toBeLessThan(100);
  });

  it("skips chosen error kinds", () => {
    const policy = skipRetryOn(exponentialBackoff(10), (error) => error.kind === "conflict");
    expect(delays(policy, new ConflictError("c"))).toEqual([null]);
    expect(delays(policy, internal, 1)).toEqual([10]);
  });
});

describe("ldk-node's policy", () => {
  const policy = ldkNodeRetryPolicy(() => 0);

  it("does not retry NoSuchKey, InvalidRequest, Conflict or a version mismatch", () => {
    for (const error of [new NoSuchKeyError("n"), new InvalidRequestError("i"), new ConflictError("c"), new VersionMismatchError(null)]) {
      expect(policy.nextDelayMs({ attemptsMade: 1, accumulatedDelayMs: 0, error })).toBeNull();
    }
  });

  it("retries auth and internal errors with 10 ms backoff until 180 s of delay or 100 attempts", () => {
    expect(policy.nextDelayMs({ attemptsMade: 1, accumulatedDelayMs: 0, error: new AuthError("a") })).toBe(10);
    const all = delays(policy, internal, 101);
    // Σ 10 × (2^n − 1) for n = 1..13 is 163 690 ms ≤ 180 s; with the 14th delay it would be 327 520 ms.
    expect(all.filter((d) => d !== null)).toHaveLength(13);
    expect(all.at(-1)).toBeNull();
    expect(policy.nextDelayMs({ attemptsMade: 100, accumulatedDelayMs: 0, error: internal })).toBeNull();
  });
});

describe("runWithRetry", () => {
  const instant = async () => undefined;

  it("retries until success and reports each retry", async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await runWithRetry(
      async () => {
        if (++calls < 3) throw internal;
        return "done";
      },
      exponentialBackoff(5),
      { sleep: instant, onRetry: (_, attempts, delay) => seen.push(attempts, delay) },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 5, 2, 15]);
  });

  it("never retries a version mismatch or a foreign exception, whatever the policy", async () => {
    let calls = 0;
    await expect(runWithRetry(async () => (calls++, Promise.reject(new VersionMismatchError("1"))), exponentialBackoff(0), { sleep: instant })).rejects.toBeInstanceOf(VersionMismatchError);
    await expect(runWithRetry(async () => (calls++, Promise.reject(new TypeError("bug"))), exponentialBackoff(0), { sleep: instant })).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(2);
  });

  it("an abort during the wait between attempts rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const run = runWithRetry(async () => Promise.reject(internal), exponentialBackoff(60_000), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 10);
    await expect(run).rejects.toBe(reason);
  });
});
