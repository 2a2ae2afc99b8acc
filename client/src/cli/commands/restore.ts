import type { VssClient } from "../../client/vss-client.js";
import { applyRestore, planRestore, RESTORE_WARNING } from "../../history/restore.js";
import { printLine } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

/**
 * `restore --to-revision R [--prefix P] [--dry-run]`: prints the forward write that puts the store back as it was
 * just after R (values then, at today's versions; keys absent then deleted), warns, then writes it (unless a dry
 * run) under --lease when given. The chain only grows: the restore is a new revision.
 */
export async function restore(client: VssClient, options: CliOptions): Promise<void> {
  if (options.toRevision === undefined) throw new UsageError("restore needs --to-revision <revision>");
  const plan = await planRestore(client, options.store, options.toRevision, { prefix: options.prefix });
  // The warning is not a progress note: --quiet does not silence it.
  process.stderr.write(`WARNING: ${RESTORE_WARNING}\n`);
  for (const put of plan.puts) {
    const now = put.version === 0n ? "absent now" : `version ${put.version} now`;
    printLine(`put\t${put.key}\t${now}; its value of revision ${put.fromRevision} (${put.value.length} bytes)`);
  }
  for (const del of plan.deletes) printLine(`delete\t${del.key}\tversion ${del.version} now; absent after revision ${plan.revision}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const what = `${count(plan.puts.length, "put")}, ${count(plan.deletes.length, "delete")}`;
  if (plan.puts.length + plan.deletes.length === 0) {
    printLine(`restore to revision ${plan.revision}: nothing to change (head ${plan.headRevision})`);
    return;
  }
  if (options.dryRun) {
    printLine(`restore to revision ${plan.revision}: ${what} (head ${plan.headRevision}); dry run: nothing written`);
    return;
  }
  const requests = await applyRestore(client, plan);
  printLine(`restore to revision ${plan.revision}: ${what} written in ${count(requests, "request")}`);
}
