#!/usr/bin/env node
// The whole test suite, as README.md and CI run it: generated code in sync, types, the deployable bundle, then
// every vitest project (workerd, local-server, and the packed client in Node, bundles and Chromium), then the
// crash-durability and hostile-request runs, then the interop suite (the real Rust clients; SKIPPED loudly
// without cargo, a failure when VSS_INTEROP_REQUIRED=1). Ends with one line "N passed, N failed".
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
// The browser test (vitest project `package`) drives Debian's Chromium; no browser is ever downloaded.
if (!existsSync("/usr/bin/chromium")) {
  const apt = process.getuid?.() === 0 ? "apt-get" : "sudo apt-get";
  step("install Chromium for the browser test", "sh", ["-c", `${apt} update && DEBIAN_FRONTEND=noninteractive ${apt} install -y chromium`]);
}
step("tests", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)]);

/**
 * A script that prints its own checks and ends with "N passed, N failed": its counts join the closing line; a run
 * that does not print that line, or fails without a failed check, counts as one failure.
 */
function countedScript(name, script) {
  console.log(`\n── ${name}: node ${script}`);
  const run = spawnSync("node", [script], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
  const counts = /^(\d+) passed, (\d+) failed$/m.exec(run.stdout ?? "");
  process.stdout.write((run.stdout ?? "").replace(/^(\d+) passed, (\d+) failed$/m, `${name} checks: $1 ok, $2 not ok`));
  const result = { passed: counts ? Number(counts[1]) : 0, failed: counts ? Number(counts[2]) : 1 };
  if (run.status !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

// Crash durability (npm run test:crash) and hostile requests with bounded memory (npm run test:hostile).
const scripts = [countedScript("crash durability", "scripts/crash-test.mjs"), countedScript("hostile requests", "scripts/hostile-test.mjs")];

let passed = scripts.reduce((sum, r) => sum + r.passed, 0);
let failed = scripts.reduce((sum, r) => sum + r.failed, 0);

// The real clients against the local service (npm run test:interop); its counts come back in a summary file.
console.log("\n── interop with the real clients: node scripts/interop.mjs");
const interopSummary = `${results}/interop.json`;
const interopRun = spawnSync("node", ["scripts/interop.mjs", "--summary", interopSummary], { env, stdio: "inherit" });
const interop = existsSync(interopSummary) ? JSON.parse(readFileSync(interopSummary, "utf8")) : { passed: 0, failed: 1 };
if (interopRun.status !== 0 && interop.failed === 0) interop.failed = 1;
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
