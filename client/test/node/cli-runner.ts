import { spawn } from "node:child_process";

/** The built CLI, as `npm run vss` and the `vss` bin run it. */
export const CLI = "client/dist/cli/main.js";
const CLI_TIMEOUT_MS = 60_000;

/** What one CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with `args`, `env` on top of a clean VSS environment, and optional stdin; bounded in time. */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: Uint8Array): Promise<CliResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VSS_")));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`vss ${args.join(" ")} timed out; stderr: ${stderr}`));
    }, CLI_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
    child.stdin.end(stdin ? Buffer.from(stdin) : undefined);
  });
}
