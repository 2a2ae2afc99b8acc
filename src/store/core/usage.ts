import type { Limits, Usage } from "../types";

const encoder = new TextEncoder();

/** What one stored object counts for: its key's UTF-8 bytes plus its value's bytes, and one key. */
export function objectUsage(key: string, size: number): Usage {
  return { bytes: encoder.encode(key).byteLength + size, keys: 1 };
}

/**
 * The quota a change from `before` to `after` breaks, named, or null. Only growth is refused: a write that
 * shrinks a dimension, or leaves it as it was, always passes, so reads and deletes work over quota.
 */
export function exceededQuota(scope: "store" | "identity", before: Usage, after: Usage, limits: Limits): string | null {
  for (const dimension of ["bytes", "keys"] as const) {
    const limit = limits[dimension];
    if (limit > 0 && after[dimension] > limit && after[dimension] > before[dimension]) {
      return `${scope} quota exceeded: ${dimension} would be ${after[dimension]}, the limit is ${limit}`;
    }
  }
  return null;
}

export function sameUsage(a: Usage, b: Usage): boolean {
  return a.bytes === b.bytes && a.keys === b.keys;
}
