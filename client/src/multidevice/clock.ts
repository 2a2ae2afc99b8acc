/** Time and timers as the lease keeper and the watcher see them; tests inject a manual clock. */
export interface Clock {
  /** Milliseconds on a monotonic clock (any origin): only differences are used. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `performance.now()` where the runtime has it (browsers, Node, Workers, React Native), else `Date.now()`. */
export const SYSTEM_CLOCK: Clock = {
  now: () => (typeof performance === "object" && typeof performance.now === "function" ? performance.now() : Date.now()),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
