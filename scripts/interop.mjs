#!/usr/bin/env node
// The interop suite (npm run test:interop; part of npm test): the real Rust clients — vss-client-ng 0.6.0 and
// 0.4.1, ldk-node 0.7.1 — and our TypeScript client against the service started as `npm start` starts it.
// Prints one `PASS <name>` / `FAIL <name>: <why>` line per scenario and ends with "N passed, N failed".
// Without cargo it says loudly that it SKIPPED (never a pass); VSS_INTEROP_REQUIRED=1 (.ci/run) makes that a failure.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { binary, build, findCargo, profile, targetDir } from "./lib/interop/cargo.mjs";
import { FIXED, generateAuth } from "./lib/interop/credentials.mjs";
import { startService } from "./lib/interop/server.mjs";
import { Tally } from "./lib/interop/steps.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TS = join(ROOT, "test", "interop", "ts");
const verbose = process.argv.includes("--verbose");
/** `--summary <file>` (scripts/test.mjs): the counts go to that JSON file instead of a final count line. */
const summaryAt = process.argv.indexOf("--summary");
const summaryPath = summaryAt >= 0 ? process.argv[summaryAt + 1] : undefined;
const tally = new Tally();

function finish(skipped) {
  if (summaryPath) writeFileSync(summaryPath, JSON.stringify({ passed: tally.passed, failed: tally.failed, skipped }));
  if (skipped) process.exit(0);
  console.log(`\ninterop: ${tally.passed} passed, ${tally.failed} failed`);
  if (!summaryPath) console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
}

function skipOrFail(why) {
  if (process.env.VSS_INTEROP_REQUIRED === "1") {
    tally.fail("interop suite", `${why} (VSS_INTEROP_REQUIRED=1: the real clients must run)`);
    finish();
  }
  const bar = "!".repeat(100);
  console.log(`\n${bar}\n!! interop suite SKIPPED: ${why}.\n!! The real clients (vss-client-ng, ldk-node) were NOT run against the service.\n${bar}`);
  finish(why);
}

const found = findCargo();
if (!found) skipOrFail("cargo not found (install Rust, e.g. rustup, to run it)");
console.log(`── build the interop crates: ${found.version}, profile ${profile()}, target ${targetDir()}`);
mkdirSync(targetDir(), { recursive: true });
const built = await build(found.cargo, (text) => verbose && process.stdout.write(text));
if (!built.ok) {
  tally.fail("interop: cargo build", built.output.slice(-3000));
  finish();
}
console.log(`   built in ${built.seconds.toFixed(0)} s`);

console.log("── build the TypeScript client (npm run build:client)");
const tsc = spawnSync("npm", ["run", "--silent", "build:client"], { cwd: ROOT, encoding: "utf8" });
if (tsc.status !== 0) {
  tally.fail("interop: build the TypeScript client", `${tsc.stdout}${tsc.stderr}`);
  finish();
}

const work = mkdtempSync(join(tmpdir(), "vss-interop-"));
const auth = await generateAuth();
console.log("── start the service (scripts/start.mjs, as npm start)");
let service;
try {
  service = await startService({ persistTo: join(work, "state"), vars: auth.vars });
} catch (error) {
  tally.fail("interop: start the service", error.message);
  rmSync(work, { recursive: true, force: true });
  finish();
}

const started = Date.now();
try {
  await runAll(service.port);
} catch (error) {
  tally.fail("interop: runner", error.stack ?? error);
} finally {
  if (tally.failed > 0) console.log(`── service output (last lines):\n${service.output().slice(-3000)}`);
  await service.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`   scenarios ran in ${((Date.now() - started) / 1000).toFixed(0)} s`);
finish();

async function runAll(port) {
  const url = `http://127.0.0.1:${port}/vss`;
  // ldk-node's LNURL-auth derives its linking key from the login URL's domain: it needs a name, not an IP.
  const lnurlUrl = `http://localhost:${port}/vss/auth/lnurl`;
  const runId = String(Date.now());
  const clients = [
    ["vss-client-ng 0.6.0", binary("vss-client-0-6"), "v0.6.0"],
    ["vss-client-ng 0.4.1", binary("vss-client-0-4"), "v0.4.1"],
  ];
  const common = ["--url", url, "--sigs-key", FIXED.sigsKey];
  const keys = ["--data-key", FIXED.dataKey, "--obfuscation-key", FIXED.obfuscationKey];

  for (const [name, bin] of clients) {
    console.log(`── ${name}: every call, every scheme`);
    const args = ["scenarios", ...common, "--jwt", auth.token, "--lnurl-url", lnurlUrl, "--lnurl-seed", FIXED.lnurlSeed];
    await tally.run(name, bin, [...args, "--run-id", runId]);
  }

  console.log("── byte compatibility: the crates' StorableBuilder and KeyObfuscator ↔ our TypeScript client");
  const tsStore = ["--store", `compat/typescript/${runId}`, ...keys, "--manifest", join(work, "typescript.json")];
  await tally.run("TypeScript compat write", "node", [join(TS, "compat.mjs"), "write", ...common, ...tsStore]);
  for (const [name, bin, version] of clients) {
    const store = ["--store", `compat/${version}/${runId}`, ...keys, "--manifest", join(work, `${version}.json`)];
    await tally.run(`${name} compat write`, bin, ["compat-write", ...common, ...store]);
    await tally.run(`TypeScript compat read of ${name}`, "node", [join(TS, "compat.mjs"), "read", ...common, ...store]);
    await tally.run(`${name} compat read`, bin, ["compat-read", ...common, ...tsStore]);
  }

  for (const scheme of ["lnurl", "sigs"]) {
    console.log(`── ldk-node 0.7.1 (${scheme}): build, restore from the seed, read by our LdkNodeKvStore`);
    const seed = FIXED.ldkSeeds[scheme];
    const wallet = ["--auth", scheme, "--seed", seed, "--store", `ldk-node/${scheme}/${runId}`, "--lnurl-url", lnurlUrl];
    const handover = join(work, `ldk-${scheme}.json`);
    const node = ["wallet", "--vss-url", url, ...wallet, "--data-dir", join(work, `ldk-${scheme}`), "--handover", handover];
    const ok = await tally.run(`ldk-node 0.7.1 (${scheme})`, binary("ldk-node-0-7"), node);
    if (!ok) continue;
    await tally.run(`TypeScript read of ldk-node (${scheme})`, "node", [join(TS, "ldk-store.mjs"), "read", "--url", url, ...wallet, "--handover", handover]);
  }

  for (const scheme of ["sigs", "lnurl"]) {
    console.log(`── ldk-node 0.7.1 (${scheme}) fenced by a fixed vss-lease header: takeover, stale tokens, release`);
    const wallet = ["--auth", scheme, "--seed", FIXED.ldkSeeds[scheme], "--store", `ldk-fence/${scheme}/${runId}`, "--lnurl-url", lnurlUrl];
    const tool = ["--node", process.execPath, "--lease-tool", join(TS, "lease.mjs"), "--state", join(work, `fence-${scheme}.json`)];
    const node = ["fence", "--vss-url", url, ...wallet, "--data-dir", join(work, `fence-${scheme}`), ...tool];
    await tally.run(`ldk-node 0.7.1 fence (${scheme})`, binary("ldk-node-0-7"), node);
  }
}
