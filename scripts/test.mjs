#!/usr/bin/env node
// The whole test suite, as README.md and CI run it: generated code in sync, types, the deployable bundle, then
// every vitest project (workerd and local-server), then the crash-durability run, then the interop suite (the
// real Rust clients; SKIPPED loudly without cargo, a failure when VSS_INTEROP_REQUIRED=1). Ends with one line
// "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const results = ".test-results";
const report = `${results}/vitest.json`;
let failedSteps = 0;

function step(name, command, args) {
  console.log(`\n── ${name}: ${command} ${args.join(" ")}`);
  const run = spawnSync(command, args, { stdio: "inherit", env });
  if (run.status !== 0) {
    failedSteps++;
    console.log(`✗ ${name} failed (exit ${run.status ?? run.signal})`);
  }
  return run.status === 0;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

step("generated code is in sync with proto/", "node", ["scripts/check-gen.mjs"]);
step("typecheck", "npx", ["tsc", "-p", "."]);
step("lint (floating promises)", "npm", ["run", "--silent", "lint"]);
step("typecheck the client (Node and Workers types)", "npm", ["run", "--silent", "typecheck:client"]);
step("bundle the Worker", "npx", ["wrangler", "deploy", "--dry-run", "--outdir", `${results}/bundle`]);
step("tests", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)]);

// Crash durability (npm run test:crash): a real server SIGKILLed under write load; its own checks join the count.
console.log("\n── crash durability: node scripts/crash-test.mjs");
const crash = spawnSync("node", ["scripts/crash-test.mjs"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const crashCounts = /^(\d+) passed, (\d+) failed$/m.exec(crash.stdout ?? "");
process.stdout.write((crash.stdout ?? "").replace(/^(\d+) passed, (\d+) failed$/m, "crash test checks: $1 ok, $2 not ok"));

// The real clients against the local service (npm run test:interop); its counts come back in a summary file.
console.log("\n── interop with the real clients: node scripts/interop.mjs");
const interopSummary = `${results}/interop.json`;
const interopRun = spawnSync("node", ["scripts/interop.mjs", "--summary", interopSummary], { env, stdio: "inherit" });
const interop = existsSync(interopSummary) ? JSON.parse(readFileSync(interopSummary, "utf8")) : { passed: 0, failed: 1 };
if (interopRun.status !== 0 && interop.failed === 0) interop.failed = 1;

let passed = crashCounts ? Number(crashCounts[1]) : 0;
let failed = crashCounts ? Number(crashCounts[2]) : 1;
if (crash.status !== 0 && failed === 0) failed = 1;
passed += interop.passed;
failed += interop.failed;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
} else {
  failed += 1;
}
failed += failedSteps;
if (interop.skipped) console.log(`\n!! The interop suite was SKIPPED (${interop.skipped}): the real clients were not run. !!`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
