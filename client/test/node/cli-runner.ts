import { spawn, spawnSync } from "node:child_process";

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

/** A CLI process that keeps running (`lease hold`, `watch`): its output so far, and ways to wait on it and stop it. */
export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` matches stdout (or stderr, with `stream`), at most `timeoutMs`. */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr", timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts the CLI with `args` and `env` on top of a clean VSS environment, without waiting for it to end. */
export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VSS_")));
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  let changed: () => void = () => undefined;
  child.stdout.on("data", (chunk: Buffer) => ((output.stdout += chunk.toString()), changed()));
  child.stderr.on("data", (chunk: Buffer) => ((output.stderr += chunk.toString()), changed()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => (changed(), resolve(code))));
  const waitFor = async (pattern: RegExp, stream: "stdout" | "stderr" = "stdout", timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(output[stream]);
      if (match) return match;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`vss ${args.join(" ")}: no ${pattern} on ${stream} (exit ${child.exitCode}); stdout: ${output.stdout}; stderr: ${output.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        changed = () => (clearTimeout(timer), resolve());
      });
    }
  };
  const stop = async (signal: NodeJS.Signals = "SIGINT") => {
    if (child.exitCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { stdout: () => output.stdout, stderr: () => output.stderr, waitFor, stop, exited };
}

/**
 * Compiles the CLI for one test file alone, under the git-ignored .test-results (so node_modules resolve), not into
 * client/dist, which cli.test.ts rebuilds at the same time in another worker. Returns the directory and the CLI.
 */
export function buildPrivateCli(name: string): { dir: string; cli: string } {
  const dir = `.test-results/${name}-cli-${process.pid}`;
  const build = spawnSync("npx", ["tsc", "-p", "client/tsconfig.build.json", "--outDir", dir, "--declaration", "false", "--sourceMap", "false"], { encoding: "utf8", timeout: 180_000 });
  if (build.status !== 0) throw new Error(`client build failed:\n${build.stdout}${build.stderr}`);
  return { dir, cli: `${dir}/cli/main.js` };
}

/** Runs the CLI at `cli` to its end (bounded), with no VSS_ variables from the environment. */
export function runCliAt(cli: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VSS_")));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`vss ${args.join(" ")} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
