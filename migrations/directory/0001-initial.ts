/** 0001: one shard of the identity directory: the identities that have at least one store. */
export default {
  id: 1,
  name: "initial",
  sql: `
CREATE TABLE identities (
  identity TEXT PRIMARY KEY,
  listed_at INTEGER NOT NULL
);
`,
};
