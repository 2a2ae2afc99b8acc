#!/usr/bin/env node
// Fails when the committed generated code differs from what `npm run gen` produces from proto/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = mkdtempSync(join(tmpdir(), "vss-gen-"));
const template = readFileSync("buf.gen.yaml", "utf8");
const outputs = [...template.matchAll(/out:\s*(\S+)/g)].map((m) => m[1]);
let ok = true;
try {
  const yaml = template.replace(/out:\s*(\S+)/g, (_, dir) => `out: ${join(out, dir)}`);
  const gen = join(out, "buf.gen.yaml");
  writeFileSync(gen, yaml);
  const run = spawnSync("npx", ["buf", "generate", "--template", gen], { stdio: "inherit" });
  if (run.status !== 0) process.exit(1);
  for (const dir of outputs) {
    for (const file of readdirSync(join(out, dir))) {
      const fresh = readFileSync(join(out, dir, file), "utf8");
      let committed = "";
      try {
        committed = readFileSync(join(dir, file), "utf8");
      } catch {}
      if (fresh !== committed) {
        console.error(`${join(dir, file)} is out of date with proto/: run \`npm run gen\` and commit the result`);
        ok = false;
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (ok) console.log("generated code is in sync");
process.exit(ok ? 0 : 1);
