/**
 * Page tokens: the creation sequence a page ended at, in decimal. Opaque to clients; strictly decreasing from
 * page to page, and still valid while other clients write (keyset pagination, never an offset).
 */
export function encodePageToken(before: number): string {
  return String(before);
}

/** The sequence a token names, or undefined when it is not a token this server issues. */
export function decodePageToken(token: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(token)) return undefined;
  const before = Number(token);
  return Number.isSafeInteger(before) ? before : undefined;
}
