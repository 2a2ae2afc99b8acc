/** 0001: the deployment's own random secrets, each made once and kept (src/secrets). Append-only. */
export default {
  id: 1,
  name: "initial",
  sql: `
CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
`,
};
