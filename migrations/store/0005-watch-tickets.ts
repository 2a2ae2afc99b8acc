/**
 * 0005: watch tickets used up (MULTIDEVICE.md §6: single use). The Worker signs tickets and checks them; the store
 * records each one it admits until it expires, so that a ticket cannot open a second socket — also after the
 * object was evicted and woke again. Documented in docs/storage.md.
 */
export default {
  id: 5,
  name: "watch-tickets",
  sql: `
CREATE TABLE watch_tickets_used (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX watch_tickets_used_by_expiry ON watch_tickets_used (expires_at);
`,
};
