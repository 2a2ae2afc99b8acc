import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { packedClient, ROOT } from "./support.js";

/**
 * Budgets for a web page that imports everything an entry offers (minified by esbuild, then gzip -9), a little
 * above the sizes measured when they were set (client/README.md § Bundle size): growth has to be deliberate.
 */
const BUDGETS = {
  // 52 → 58 KiB with the history extension's verifier, chain walks, audits and restores (client/README.md § Bundle size).
  core: { entry: "@edge-vss/client", gzipBytes: 58 * 1024 },
  ldk: { entry: "@edge-vss/client/ldk", gzipBytes: 52 * 1024 },
} as const;

interface Bundle {
  minified: number;
  gzip: number;
  inputs: string[];
  errors: string[];
}

/** Bundles `source` for the browser inside the project that installed the packed client. */
async function bundle(project: string, source: string): Promise<Bundle> {
  try {
    const result = await build({
      stdin: { contents: source, resolveDir: project, loader: "js" },
      absWorkingDir: project,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs: Object.keys((result.metafile as Metafile).inputs), errors: [] };
  } catch (error) {
    const failure = error as { errors?: { text: string }[] };
    return { minified: 0, gzip: 0, inputs: [], errors: (failure.errors ?? [{ text: String(error) }]).map((e) => e.text) };
  }
}

describe("the packed client in a browser bundle (esbuild)", () => {
  const sizes: Record<string, { minified: number; gzip: number; budget: number }> = {};

  for (const [name, { entry, gzipBytes }] of Object.entries(BUDGETS)) {
    it(`${entry}: bundles for the browser from the installed package, without a Node module, within ${gzipBytes / 1024} KiB gzip`, async () => {
      const { project } = packedClient();
      const result = await bundle(project, `export * from "${entry}";`);
      expect(result.errors).toEqual([]);
      const fromPackage = result.inputs.filter((input) => input.startsWith("node_modules/@edge-vss/client/"));
      expect(fromPackage).toContain(name === "core" ? "node_modules/@edge-vss/client/dist/index.js" : "node_modules/@edge-vss/client/dist/ldk/index.js");
      expect(result.inputs.filter((input) => input.startsWith("node:") || input.includes("/dist/cli/"))).toEqual([]);
      expect(result.inputs.filter((input) => !input.startsWith("node_modules/") && input !== "<stdin>")).toEqual([]);
      sizes[name] = { minified: result.minified, gzip: result.gzip, budget: gzipBytes };
      expect(result.gzip).toBeLessThanOrEqual(gzipBytes);
    });
  }

  it("tree-shakes: a page that only signs and calls pulls in less than the whole core", async () => {
    const { project } = packedClient();
    const small = await bundle(project, `import { VssClient, sigsAuth } from "@edge-vss/client"; export const c = new VssClient("/vss", { headerProvider: sigsAuth(new Uint8Array(32)) });`);
    const whole = await bundle(project, `export * from "@edge-vss/client";`);
    expect(small.errors).toEqual([]);
    expect(small.minified).toBeLessThan(whole.minified);
    expect(small.inputs.some((input) => input.includes("/ldk/"))).toBe(false);
    sizes.typical = { minified: small.minified, gzip: small.gzip, budget: 0 };
    mkdirSync(join(ROOT, ".test-results"), { recursive: true });
    writeFileSync(join(ROOT, ".test-results/client-bundle-sizes.json"), `${JSON.stringify(sizes, null, 2)}\n`);
  });

  it("the check can fail: the CLI, which needs Node, does not bundle for the browser", async () => {
    const { project } = packedClient();
    const cli = join(project, "node_modules/@edge-vss/client/dist/cli/main.js");
    const result = await bundle(project, `import ${JSON.stringify(`./${relative(project, cli)}`)};`);
    expect(result.errors.some((text) => /node:(fs|readline|events|util)/.test(text))).toBe(true);
  });
});
