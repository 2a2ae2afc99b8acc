/** 0001: single-use LNURL-auth challenges (k1) with their expiry. Append-only, like every migration. */
export default {
  id: 1,
  name: "initial",
  sql: `
CREATE TABLE challenges (k1 TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX challenges_by_expiry ON challenges (expires_at);
`,
};
