// Building the Rust interop crates (test/interop) into a target directory outside the clone, so that rebuilds
// are incremental across clones and CI runs on the same machine.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const INTEROP_DIR = fileURLToPath(new URL("../../../test/interop", import.meta.url));

/** `VSS_INTEROP_TARGET`, or ~/.cache/edge-vss/interop-target. */
export function targetDir() {
  return process.env.VSS_INTEROP_TARGET || join(homedir(), ".cache", "edge-vss", "interop-target");
}

/** Cargo's profile: `dev` by default (faster overall cold; see README "Tested with"), `release` on request. */
export function profile() {
  const chosen = process.env.VSS_INTEROP_PROFILE || "dev";
  if (chosen !== "dev" && chosen !== "release") throw new Error(`VSS_INTEROP_PROFILE must be dev or release, got ${chosen}`);
  return chosen;
}

/** The cargo executable: on PATH, or rustup's default location; null when there is none. */
export function findCargo() {
  for (const candidate of ["cargo", join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin", "cargo")]) {
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (probe.status === 0) return { cargo: candidate, version: probe.stdout.trim() };
  }
  return null;
}

/** `cargo build --locked` of the whole workspace; resolves with { ok, seconds, output }. */
export function build(cargo, log) {
  const started = Date.now();
  const args = ["build", "--locked", "--workspace", "--profile", profile()];
  const child = spawn(cargo, args, {
    cwd: INTEROP_DIR,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir(), CARGO_TERM_COLOR: "never" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
    log(chunk.toString());
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return new Promise((resolve) => {
    child.on("close", (code) => resolve({ ok: code === 0, seconds: (Date.now() - started) / 1000, output }));
  });
}

/** The path of a built binary of the workspace. */
export function binary(name) {
  const path = join(targetDir(), profile() === "dev" ? "debug" : "release", name);
  if (!existsSync(path)) throw new Error(`${path} was not built`);
  return path;
}
