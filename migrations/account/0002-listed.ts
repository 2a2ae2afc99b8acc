/** 0002: whether the identity is in the operator's directory (src/directory), so it is listed only once. */
export default {
  id: 2,
  name: "listed",
  sql: `
CREATE TABLE account_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  listed INTEGER NOT NULL DEFAULT 0
);
INSERT INTO account_meta (id, listed) VALUES (1, 0);
`,
};
