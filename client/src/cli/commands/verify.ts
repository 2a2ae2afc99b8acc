import type { VssClient } from "../../client/vss-client.js";
import type { Checkpoint } from "../../history/checkpoints.js";
import { auditStore, verifyHistory, type HistoryReport, type StoreAudit } from "../../history/verify-history.js";
import { printLine } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

/** A store still being written may move between recomputing and reading; each try starts again. */
const TRIES = 3;

function parseCheckpoint(text: string | undefined): Checkpoint | undefined {
  if (text === undefined) return undefined;
  const match = /^(0|[1-9][0-9]*):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!match) throw new UsageError(`--checkpoint must be R:D (a revision, a colon, 64 hex digits), got ${text}`);
  return { revision: BigInt(match[1] as string), digest: match[2] as string };
}

function printReport(report: HistoryReport, checkpoint: Checkpoint | undefined): void {
  const base = report.base.genesis ? `the genesis of incarnation ${report.incarnation || "(none)"}` : `the retained base at revision ${report.base.revision} (${report.base.digest})`;
  printLine(`chain: ${report.recomputed} revisions recomputed from ${base}`);
  printLine(`head: revision ${report.head.revision} digest ${report.head.digest}`);
  if (checkpoint) printLine(`checkpoint ${checkpoint.revision}:${checkpoint.digest} lies on the chain`);
  for (const gap of report.gaps) printLine(`gap: the changes of revisions ${gap.fromRevision + 1n}…${gap.toRevision} are pruned at the server; not recomputed`);
  for (const replay of report.replayed) printLine(`written forward: ${JSON.stringify(replay.key)} at revision ${replay.revision} holds its value of revision ${replay.earlierRevision} (a restore, or a replayed request)`);
}

function printAudit(audit: StoreAudit): void {
  printLine(`values: ${audit.matched} match the chain, ${audit.unknown.length} older than the retained history, ${audit.mismatched.length} do not match`);
  for (const { key, detail } of audit.mismatched) printLine(`mismatch: ${JSON.stringify(key)}: ${detail}`);
}

/**
 * `verify [--checkpoint R:D]`: recomputes the store's retained chain (proving the checkpoint lies on it), then
 * audits every current value against it. Fails (exit 1) on a fork, a rollback below the checkpoint, an erasure
 * since it, or a value that differs from the chain; gaps and values written forward are reported, not failures.
 */
export async function verify(client: VssClient, options: CliOptions): Promise<void> {
  const checkpoint = parseCheckpoint(options.checkpoint);
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    const report = await verifyHistory(client, options.store, { from: checkpoint });
    const audit = await auditStore(client, options.store, report.chain, { prefix: options.prefix });
    if (!audit) continue;
    printReport(report, checkpoint);
    printAudit(audit);
    if (audit.mismatched.length > 0) throw new Error(`verify: FAIL: ${audit.mismatched.length} values do not match the verified chain`);
    printLine("verify: PASS");
    return;
  }
  throw new Error(`verify: the store kept changing while it was audited (${TRIES} tries); try again`);
}
