import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packedClient, ROOT, run } from "./support.js";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

describe("the packed client (npm pack of client/)", () => {
  it("holds the compiled library, its declarations, the CLI and the README — no sources, tests or source maps", () => {
    const { tarball } = packedClient();
    const listing = run("tar", ["-tzf", tarball], ROOT);
    expect(listing.status).toBe(0);
    const files = listing.stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
    for (const file of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/ldk/index.js", "dist/ldk/index.d.ts", "dist/cli/main.js"]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => !f.startsWith("dist/") && f !== "package.json" && f !== "README.md")).toEqual([]);
    expect(files.filter((f) => f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("installs into an empty project and imports there in Node: both entries work, internals stay private", () => {
    const { project } = packedClient();
    copyFileSync(join(FIXTURES, "use-in-node.mjs"), join(project, "use-in-node.mjs"));
    const result = run(process.execPath, ["use-in-node.mjs"], project);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ deobfuscated: "channel_manager", opened: "state", version: "3", headerLength: 66 + 128 + 10, unreachable: "internal", sharedErrors: true });
    expect(report.coreExports).toBeGreaterThan(40);
    expect(report.ldkExports).toContain("LdkNodeKvStore");
    expect(report.ldkExports).not.toContain("VssClient");
    expect(report.blocked).toEqual([
      "@edge-vss/client/dist/index.js: ERR_PACKAGE_PATH_NOT_EXPORTED",
      "@edge-vss/client/dist/cli/main.js: ERR_PACKAGE_PATH_NOT_EXPORTED",
      "@edge-vss/client/cli: ERR_PACKAGE_PATH_NOT_EXPORTED",
    ]);
  });

  it("ships type declarations that a TypeScript project resolves through the exports map (nodenext and bundler)", () => {
    const { project } = packedClient();
    copyFileSync(join(FIXTURES, "use-types.ts"), join(project, "use-types.ts"));
    for (const [module, moduleResolution] of [["nodenext", "nodenext"], ["es2022", "bundler"]]) {
      const compilerOptions = { target: "es2022", lib: ["es2023", "dom"], module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [] };
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["use-types.ts"] }));
      const result = run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], project);
      expect(`${result.stdout}${result.stderr}`, moduleResolution).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("installs a working `vss` bin", () => {
    const { project } = packedClient();
    const help = run(join(project, "node_modules/.bin/vss"), ["--help"], project);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: vss \[options\] <command>/);
    // A real call through the installed modules: nothing listens on port 9, so a transport failure, exit 1.
    const args = ["--url", "http://127.0.0.1:9/vss", "--store", "s", "--token", "t", "--retries", "1", "--timeout", "2000", "get", "k"];
    const failure = run(join(project, "node_modules/.bin/vss"), args, project, 30_000);
    expect(failure.stderr).toMatch(/^vss: .*\(internal\)\n$/);
    expect(failure.status).toBe(1);
  });
});
