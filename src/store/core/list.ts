import type { StoreSql } from "../sql";
import type { ListInput, ListPage } from "../types";

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string greater than every string that starts with `prefix`, in UTF-8 byte order (which is code
 * point order), or null when there is none. Turns a literal prefix into an index range.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? MAX_CODE_POINT;
    if (last < MAX_CODE_POINT) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1); // surrogates are not characters
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

/** One page of keys, newest-created first, by keyset on the creation sequence. CONTRACT.md §7. */
export function listPage(db: StoreSql, input: ListInput): ListPage {
  const globalVersion = input.before === undefined ? db.globalVersion() : undefined;
  if (input.pageSize === 0) return { keyVersions: [], globalVersion };
  const { rows, scannedTo } = db.list(input.prefix, prefixUpperBound(input.prefix), input.before ?? Number.MAX_SAFE_INTEGER, input.pageSize + 1);
  const page = rows.slice(0, input.pageSize);
  // A page cut short by the scan bound goes on where the scan stopped, even when it found no key at all.
  const nextBefore = rows.length > input.pageSize ? page.at(-1)?.seq : scannedTo;
  return { keyVersions: page.map(({ key, version }) => ({ key, version })), nextBefore, globalVersion };
}
