/** A signal that aborts when `parent` aborts or after `timeoutMs`, whichever comes first; call `done` when finished. */
export interface Deadline {
  signal: AbortSignal;
  /** True once the timer, not the caller, aborted the signal. */
  readonly timedOut: boolean;
  done(): void;
}

/**
 * Builds a per-request deadline without `AbortSignal.any`/`AbortSignal.timeout`, which React Native and older
 * browsers lack.
 */
export function deadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`deadline of ${timeoutMs} ms exceeded`));
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    done() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}
