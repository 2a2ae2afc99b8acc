/**
 * 0003: the open watch sockets each store of the identity last reported (src/account/watchers.ts), so that an
 * identity's watchers are bounded over all of its stores (VSS_WATCHERS_PER_IDENTITY).
 */
export default {
  id: 3,
  name: "watchers",
  sql: `
CREATE TABLE watchers (store_id TEXT PRIMARY KEY, open INTEGER NOT NULL) WITHOUT ROWID;
`,
};
