import { spawnSync } from "node:child_process";
import { inject } from "vitest";
import type { PackedClient } from "./packed-client.js";

/** The packed and installed client from the global setup; throws its failure, so that each test reports it. */
export function packedClient(): PackedClient {
  const packed = inject("packedClient");
  if (packed.error) throw new Error(packed.error);
  return packed;
}

/** The repository root (for its pinned tools: tsc, esbuild). */
export const ROOT = new URL("../../../", import.meta.url).pathname;

/** Runs a command to completion; its exit code and output. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, NODE_OPTIONS: "" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
