/** 0001: an identity's stores and the usage each last reported. Append-only, like every migration. */
export default {
  id: 1,
  name: "initial",
  sql: `
CREATE TABLE stores (
  store_id TEXT PRIMARY KEY,
  used_bytes INTEGER NOT NULL DEFAULT 0,
  used_keys INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
`,
};
