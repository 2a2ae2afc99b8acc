import type { Head } from "../store/types";
import { toHex } from "./hex";

/** HISTORY.md §2: the headers that carry a store's head on every answer of a store-scoped route. */
export const REVISION_HEADER = "vss-revision";
export const DIGEST_HEADER = "vss-digest";


/** `vss-revision: <R>` (canonical decimal) and `vss-digest: <64 lower-case hex>`. */
export function headHeaders(head: Head): Record<string, string> {
  return { [REVISION_HEADER]: String(head.revision), [DIGEST_HEADER]: toHex(head.digest) };
}
