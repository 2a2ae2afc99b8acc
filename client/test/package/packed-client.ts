import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

/** The packed client installed into an empty project, shared by the package tests (vitest `inject`). */
export interface PackedClient {
  /** The `npm pack` tarball of client/. */
  tarball: string;
  /** An empty project (`type: module`) with the tarball installed in its node_modules. */
  project: string;
  /** Set when packing or installing failed: every package test then fails with it. */
  error?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    packedClient: PackedClient;
  }
}

const ROOT = new URL("../../../", import.meta.url).pathname;
const NPM_TIMEOUT_MS = 240_000;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", timeout: NPM_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * vitest global setup of the `package` project: `npm pack` of the workspace (its prepack builds client/dist),
 * then `npm install <tarball>` into an empty project outside the repository, so that nothing resolves through the
 * workspace. Dependencies come from npm's cache (filled by `npm ci`) or the registry. Never throws: a failure is
 * handed to the tests, which report it, rather than aborting the other projects' run.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "vss-packed-client-"));
  const packed: PackedClient = { tarball: "", project: join(dir, "project") };
  try {
    const [info] = JSON.parse(npm(["pack", "--workspace", "client", "--pack-destination", dir, "--json", "--silent"], ROOT)) as { filename: string }[];
    if (!info) throw new Error("npm pack reported no tarball");
    packed.tarball = join(dir, info.filename);
    mkdirSync(packed.project);
    writeFileSync(join(packed.project, "package.json"), JSON.stringify({ name: "empty-project", private: true, type: "module" }, null, 2));
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline", packed.tarball], packed.project);
  } catch (error) {
    const detail = error as { message?: string; stderr?: string };
    packed.error = `packing or installing the client failed: ${detail.message ?? String(error)}\n${detail.stderr ?? ""}`;
  }
  project.provide("packedClient", packed);
  return () => rmSync(dir, { recursive: true, force: true });
}
