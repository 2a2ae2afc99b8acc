/**
 * 0002: usage accounting for quotas (bytes = UTF-8 key length + value length, summed over the store's keys),
 * and the owner the store registered with its account (for account deletion). Backfills existing stores.
 */
export default {
  id: 2,
  name: "usage",
  sql: `
ALTER TABLE store_meta ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN used_keys INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN registered INTEGER NOT NULL DEFAULT 0;
UPDATE store_meta SET
  used_bytes = (SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + size), 0) FROM objects),
  used_keys = (SELECT COUNT(*) FROM objects);
`,
};
