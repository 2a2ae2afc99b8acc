#!/usr/bin/env node
import { NoSuchKeyError, VssError } from "../errors.js";
import { verifying } from "../history/verifier.js";
import { get, list, put, remove } from "./commands/basic.js";
import { exportStore } from "./commands/export.js";
import { head } from "./commands/head.js";
import { history, show } from "./commands/history.js";
import { importStore } from "./commands/import.js";
import { ldkCommand } from "./commands/ldk.js";
import { lease } from "./commands/lease.js";
import { restore } from "./commands/restore.js";
import { verify } from "./commands/verify.js";
import { changes, watchCommand } from "./commands/watch.js";
import { connect } from "./connect.js";
import { parseOptions, UsageError, USAGE } from "./options.js";

/** Exit codes: 0 success, 1 failure, 2 bad usage, 3 key not found. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_FOUND = 3;

const COMMANDS = { get, put, delete: remove, list, export: exportStore, import: importStore, lease, watch: watchCommand, changes, history, verify, show, restore, head } as const;
/** Commands that need a verifying client (a checkpoint in memory: the first head is taken, every later one proven). */
const VERIFYING: ReadonlySet<string> = new Set(["head"]);

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "admin") {
    const { adminMain } = await import("./commands/admin/index.js");
    return adminMain(argv.slice(1));
  }
  const options = parseOptions(argv, process.env);
  if (options.help || !options.command) {
    process.stdout.write(USAGE);
    return;
  }
  const command = COMMANDS[options.command as keyof typeof COMMANDS];
  if (!command) throw new UsageError(`unknown command ${options.command}`);
  const client = connect(options, VERIFYING.has(options.command) ? verifying() : undefined);
  if (options.ldk) await ldkCommand(client, options);
  else await command(client, options);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`vss: ${error.message}\n\n${USAGE}`);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof NoSuchKeyError) {
    process.stderr.write(`vss: not found: ${error.message}\n`);
    process.exitCode = EXIT_NOT_FOUND;
  } else {
    const kind = error instanceof VssError ? ` (${error.kind}${error.status ? `, HTTP ${error.status}` : ""})` : "";
    process.stderr.write(`vss: ${error instanceof Error ? error.message : String(error)}${kind}\n`);
    process.exitCode = EXIT_FAILURE;
  }
});
