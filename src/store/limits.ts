/** Platform and protocol limits, each with where its number comes from. */

/** Durable Object SQLite: a string, BLOB or row holds at most 2 MB; chunks stay well under it. */
export const CHUNK_BYTES = 1024 * 1024;

/** Values up to one chunk live in the object's own row; larger ones are chunked into blob_chunks. */
export const INLINE_VALUE_MAX_BYTES = CHUNK_BYTES;

/**
 * Workers RPC serializes arguments and results up to 32 MiB; one call carries at most this many value bytes
 * (staging a chunk batch, returning the first chunks of a read, or the inline values of one putObjects).
 */
export const RPC_VALUE_BUDGET_BYTES = 16 * 1024 * 1024;

/** CONTRACT.md §5.1: transaction_items + delete_items per putObjects. */
export const MAX_ITEMS_PER_PUT = 1000;

/** CONTRACT.md §3: lengths in characters (Unicode code points). */
export const MAX_STORE_ID_CHARS = 120;
export const MAX_KEY_CHARS = 600;
export const MAX_IDENTITY_CHARS = 120;

/** CONTRACT.md §7.3: the effective page size is min(page_size, 100). */
export const MAX_PAGE_SIZE = 100;

/** CONTRACT.md §4, §5.10: the reserved key that names the store-level version. */
export const GLOBAL_VERSION_KEY = "global_version";

/**
 * A staged (uploaded but not committed) blob older than this is garbage from an interrupted request. The Worker
 * holds the whole body before it stages a value, so staging one request takes seconds; ten minutes is ample.
 */
export const STAGED_BLOB_TTL_MS = 10 * 60 * 1000;

/**
 * The largest body of a request that carries no value (getObject, listKeyVersions): a store_id, a key or prefix
 * and a page token take a few KiB at most (CONTRACT.md §3 limits), so anything larger is refused unread.
 */
export const SMALL_REQUEST_MAX_BYTES = 64 * 1024;

/** MULTIDEVICE.md §4, §7: a lease holder's label, a lease token as a client may send it, keys per getObjects. */
export const MAX_HOLDER_CHARS = 120;
export const MAX_LEASE_TOKEN_CHARS = 256;
export const MAX_GET_OBJECTS_KEYS = 100;
/** The largest getObjects body: 100 keys of 600 four-byte characters, with room to spare. */
export const GET_OBJECTS_MAX_BYTES = 256 * 1024;

/** MULTIDEVICE.md §7: value bytes one getObjects answers before it sends the rest of the keys back. */
export const GET_OBJECTS_BUDGET_BYTES = 16 * 1024 * 1024;
