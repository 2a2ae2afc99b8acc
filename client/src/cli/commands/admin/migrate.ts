import { AdminApi } from "./api.js";
import { identityOf } from "./identity-map.js";
import { adminToken, required, type AdminOptions } from "./options.js";
import { eachConcurrently } from "./pool.js";
import { connectPostgres, ReferenceSource } from "./postgres.js";
import { Report } from "./report.js";
import { uploadStore } from "./upload.js";

/** The largest value the service imports (src/store/transfer/transfer.ts IMPORT_VALUE_MAX_BYTES). */
const MAX_VALUE_BYTES = 48 * 1024 * 1024;

/**
 * `vss admin migrate --from postgres://… --to https://host`: every store of the reference server's `vss_db`, in
 * its creation order, with versions and global version, imported store by store. Resumable and idempotent.
 */
export async function migrate(options: AdminOptions): Promise<Report> {
  const from = required(options, "from", "postgres");
  const api = new AdminApi(required(options, "to", "http"), adminToken(options));
  const db = await connectPostgres(from);
  const report = new Report(`migrate ${redact(from)} → ${api.base}`, options.dryRun);
  const progress = (line: string) => options.quiet || process.stderr.write(line + "\n");
  try {
    const source = new ReferenceSource(db);
    await source.open();
    const wanted = new Set(options.identities);
    await eachConcurrently(source.stores(), options.concurrency, async (store) => {
      const mapped = identityOf(store.userToken, options.scheme);
      if ("skip" in mapped) return report.add(`user_token:${store.userToken}`, store.storeId, { kind: "skipped", reason: mapped.skip });
      const { identity } = mapped;
      if (wanted.size > 0 && !wanted.has(identity)) return;
      const problem = ReferenceSource.problem(store, MAX_VALUE_BYTES);
      if (problem) return report.add(identity, store.storeId, { kind: "skipped", reason: problem });
      try {
        const outcome = await uploadStore(
          api,
          {
            identity,
            storeId: store.storeId,
            source: store.source,
            keys: store.keys,
            bytes: store.bytes,
            globalVersion: Number(store.globalVersion),
            items: (start) => source.items(store.userToken, store.storeId, start),
          },
          options,
        );
        report.add(identity, store.storeId, outcome);
        progress(`${identity} ${JSON.stringify(store.storeId)}: ${outcome.kind === "done" ? `${store.keys} keys moved` : outcome.kind === "already" ? "already imported" : outcome.kind === "would" ? `would move ${store.keys} keys` : "skipped"}`);
      } catch (error) {
        report.add(identity, store.storeId, { kind: "failed", reason: error instanceof Error ? error.message : String(error) });
      }
    });
  } finally {
    await db.end();
  }
  return report;
}

/** A database URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
