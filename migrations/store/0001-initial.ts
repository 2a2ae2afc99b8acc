/**
 * 0001: the store's first schema. Append-only: never edit a released migration, add the next number instead.
 * Documented in docs/storage.md.
 */
export default {
  id: 1,
  name: "initial",
  sql: `
CREATE TABLE store_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  global_version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO store_meta (id, global_version) VALUES (1, 0);

CREATE TABLE objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  version INTEGER NOT NULL,
  size INTEGER NOT NULL,
  value BLOB,
  blob_id INTEGER
);

CREATE TABLE blobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  size INTEGER NOT NULL DEFAULT 0,
  chunk_count INTEGER NOT NULL DEFAULT 0,
  staged_at INTEGER
);
CREATE INDEX blobs_staged ON blobs (staged_at) WHERE staged_at IS NOT NULL;

CREATE TABLE blob_chunks (
  id INTEGER PRIMARY KEY,
  blob_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (blob_id, seq)
);
`,
};
