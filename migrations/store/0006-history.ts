/**
 * 0006: verifiable history (HISTORY.md). The store's incarnation and head digest; where its retained records begin
 * (`history_oldest`, and the digest of the revision before it); the bytes its history holds against its own
 * allowance, and the settings the last write carried (the background pruning has no request to read them from).
 * `revisions` keeps every revision's digest, time and global version for the store's life; `revision_changes` what
 * each revision changed, until pruned; `history_versions` every version a write replaced or deleted, with its bytes
 * while they are retained. Objects keep the SHA-256 of their value and the revision that wrote it. An import that names the exported store's
 * incarnation and head keeps them (`import_chain_*`) until its commit continues that chain. A store already written when this runs is
 * given its incarnation and base digest by the code, from its live state, the first time it wakes
 * (src/store/history/base.ts). Documented in docs/storage.md.
 */
export default {
  id: 6,
  name: "history",
  sql: `
ALTER TABLE store_meta ADD COLUMN incarnation BLOB;
ALTER TABLE store_meta ADD COLUMN head_digest BLOB;
ALTER TABLE store_meta ADD COLUMN history_oldest INTEGER NOT NULL DEFAULT 1;
ALTER TABLE store_meta ADD COLUMN history_base_digest BLOB;
ALTER TABLE store_meta ADD COLUMN history_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN history_values_ms INTEGER NOT NULL DEFAULT 604800000;
ALTER TABLE store_meta ADD COLUMN history_retention_ms INTEGER NOT NULL DEFAULT 604800000;
ALTER TABLE store_meta ADD COLUMN history_allowance INTEGER NOT NULL DEFAULT 67108864;
ALTER TABLE store_meta ADD COLUMN import_chain_incarnation BLOB;
ALTER TABLE store_meta ADD COLUMN import_chain_revision INTEGER;
ALTER TABLE store_meta ADD COLUMN import_chain_digest BLOB;
ALTER TABLE objects ADD COLUMN value_sha256 BLOB;
ALTER TABLE objects ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
UPDATE objects SET revision = COALESCE((SELECT c.revision FROM changes c WHERE c.key = objects.key), 0);

CREATE TABLE revisions (
  revision INTEGER PRIMARY KEY,
  digest BLOB NOT NULL,
  committed_at INTEGER NOT NULL,
  global_version INTEGER NOT NULL
);

CREATE TABLE revision_changes (
  revision INTEGER NOT NULL,
  key TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  version INTEGER NOT NULL,
  value_sha256 BLOB,
  PRIMARY KEY (revision, key)
) WITHOUT ROWID;

CREATE TABLE history_versions (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  from_revision INTEGER NOT NULL,
  to_revision INTEGER NOT NULL,
  version INTEGER NOT NULL,
  size INTEGER NOT NULL,
  value BLOB,
  blob_id INTEGER,
  retained INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  ended_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX history_versions_by_key ON history_versions (key, from_revision);
CREATE INDEX history_versions_by_end ON history_versions (to_revision);
CREATE INDEX history_versions_retained ON history_versions (deleted, ended_at) WHERE retained = 1;
`,
};
