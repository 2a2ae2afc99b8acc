/**
 * 0004: the state of an operator's import (src/store/transfer.ts). While `import_id` is set the store answers its
 * wallet with a retryable error; `import_received` counts the items stored so far (resume point), and
 * `import_partial_blob` is the blob of a large value still arriving. `import_source` names what the last import
 * came from, so a re-run recognizes a store it already imported. Stores register with their account once more on their next write, so that identities written before the
 * directory existed get listed in it too.
 */
export default {
  id: 4,
  name: "import",
  sql: `
ALTER TABLE store_meta ADD COLUMN import_id TEXT;
ALTER TABLE store_meta ADD COLUMN import_received INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_meta ADD COLUMN import_partial_blob INTEGER;
ALTER TABLE store_meta ADD COLUMN import_source TEXT;
UPDATE store_meta SET registered = 0;
`,
};
