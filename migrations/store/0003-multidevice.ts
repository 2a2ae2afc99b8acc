/**
 * 0003: multi-device (MULTIDEVICE.md): the store's revision, the compact per-key change index (deleted keys
 * kept until pruned; `pruned_revision` is the newest revision whose deletions may be gone), the writer lease and
 * the highest lease epoch ever granted. Existing data enters the feed at revision 1, so that a feed walked from 0
 * reproduces the store. Documented in docs/storage.md.
 */
export default {
  id: 3,
  name: "multidevice",
  sql: `
ALTER TABLE store_meta ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN pruned_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;

CREATE TABLE lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch INTEGER NOT NULL,
  token TEXT NOT NULL,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE changes (
  key TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
);
CREATE INDEX changes_by_revision ON changes (revision);
CREATE INDEX changes_deleted ON changes (revision) WHERE deleted = 1;

INSERT INTO changes (key, revision, version, deleted, changed_at)
  SELECT key, 1, version, 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM objects;
UPDATE store_meta SET revision = 1 WHERE EXISTS (SELECT 1 FROM objects) OR global_version <> 0;
`,
};
