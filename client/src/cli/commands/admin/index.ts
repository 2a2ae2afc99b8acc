import { exportDeployment } from "./export.js";
import { importDeployment } from "./import.js";
import { migrate } from "./migrate.js";
import { ADMIN_USAGE, parseAdminOptions } from "./options.js";
import { UsageError } from "../../options.js";

const COMMANDS = { migrate, export: exportDeployment, import: importDeployment } as const;

/** `vss admin …`: the operator's commands. Exit code 1 when any store failed. */
export async function adminMain(argv: string[]): Promise<void> {
  const options = parseAdminOptions(argv, process.env);
  if (options.help || !options.command) {
    process.stdout.write(ADMIN_USAGE);
    return;
  }
  const command = COMMANDS[options.command as keyof typeof COMMANDS];
  if (!command) throw new UsageError(`unknown admin command ${options.command}\n\n${ADMIN_USAGE}`);
  const report = await command(options);
  await report.print(options.report);
  if (report.failed.length > 0) process.exitCode = 1;
}
