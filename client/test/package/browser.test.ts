import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalServer } from "../../../test/support/local-server.js";
import type { ResultsHolder, StepResult } from "./page/result.js";
import { StaticServer } from "./static-server.js";
import { packedClient, ROOT } from "./support.js";

/** Debian's Chromium (`apt-get install chromium`; scripts/test.mjs installs it when missing). No download. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
const PAGE_SOURCE = new URL("./page/", import.meta.url).pathname;
const EXAMPLE_SOURCE = join(ROOT, "examples/web-wallet/");
const SCREENSHOTS = join(ROOT, ".test-results/browser");
const SERVER_START_MS = 90_000;
const PAGE_DONE_MS = 120_000;

let scratch: string;
let server: LocalServer;
let allowed: StaticServer;
let refused: StaticServer;
let browser: BrowserContext;

/** A page's script bundled by esbuild inside the empty project, so that it uses the installed package. */
async function bundlePage(project: string, source: string, entry: string): Promise<{ code: Uint8Array; inputs: string[] }> {
  const copy = join(project, entry.replace(/\W/g, "-"));
  cpSync(source, copy, { recursive: true });
  const result = await build({
    entryPoints: [join(copy, entry)],
    absWorkingDir: project,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]?.contents ?? new Uint8Array(), inputs: Object.keys(result.metafile.inputs) };
}

/** Loads the test page from `pageServer` with `suite` and waits for its results; keeps a screenshot either way. */
async function runPage(pageServer: StaticServer, suite: string, screenshot: string): Promise<{ results: StepResult[]; errors: string[]; logged: string[]; page: Page }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const logged: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => logged.push(message.text()));
  const query = new URLSearchParams({ vss: `${server.url}/vss`, suite });
  try {
    await page.goto(`${pageServer.origin}/?${query.toString()}`);
    await page.waitForFunction(() => (globalThis as ResultsHolder).vssResults !== undefined, undefined, { timeout: PAGE_DONE_MS });
    const results = (await page.evaluate(() => (globalThis as ResultsHolder).vssResults)) ?? [];
    return { results, errors, logged, page };
  } finally {
    await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (npm test does this)`);
  const { project } = packedClient();
  const page = await bundlePage(project, PAGE_SOURCE, "main.ts");
  const example = await bundlePage(project, EXAMPLE_SOURCE, "wallet.js");
  for (const { inputs } of [page, example]) expect(inputs).toContain("node_modules/@edge-vss/client/dist/index.js");
  const files = {
    "/": { type: "text/html; charset=utf-8", body: readFileSync(join(PAGE_SOURCE, "index.html"), "utf8") },
    "/page.js": { type: "text/javascript", body: page.code },
    "/example/": { type: "text/html; charset=utf-8", body: readFileSync(join(EXAMPLE_SOURCE, "index.html"), "utf8") },
    "/example/wallet.bundle.js": { type: "text/javascript", body: example.code },
  };
  allowed = new StaticServer(files);
  refused = new StaticServer(files);
  await allowed.start();
  await refused.start();
  scratch = mkdtempSync(join(tmpdir(), "vss-browser-"));
  // The service allows the first page's origin only: the second page, on another port, must be refused.
  server = new LocalServer(join(scratch, "state"), { VSS_CORS_ORIGINS: allowed.origin });
  await server.start(SERVER_START_MS);
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launchPersistentContext(join(scratch, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}, SERVER_START_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await allowed?.stop();
  await refused?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the bundled client in Chromium against the local server (npm start) on another origin", () => {
  it("runs every step of the page: sigs auth, put/get/list/delete, 5 MiB, encryption, typed errors, watch and sync", async () => {
    const { results, errors, logged, page } = await runPage(allowed, "allowed", "client-in-chromium.png");
    expect(errors).toEqual([]);
    expect(logged.filter((line) => line.includes("CORS"))).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      "put, get, list and delete with sigs auth under a random key",
      "a 5 MiB value, byte-exact",
      "an encrypted value through StorableBuilder under a KeyObfuscator key",
      "typed errors: NoSuchKey and Conflict are caught as their classes",
      "watch(): a ticket, the native WebSocket, and a put's change in order",
      "syncStore(): the whole store's values, then a deletion as it commits",
    ]);
    for (const result of results) expect(result, result.detail).toMatchObject({ ok: true });
    expect(results[3]?.detail).toBe("NoSuchKeyError (no-such-key, HTTP 404); ConflictError (conflict, HTTP 409)");
    expect(await page.locator("li.ok").count()).toBe(results.length);
    await page.close();
  });

  it("is refused by the browser on an origin that VSS_CORS_ORIGINS does not list (the same page, another port)", async () => {
    const { results, errors, logged, page } = await runPage(refused, "refused", "client-refused-origin.png");
    expect(errors).toEqual([]);
    expect(logged.some((line) => line.includes(`from origin '${refused.origin}' has been blocked by CORS policy`)), logged.join("\n")).toBe(true);
    expect(results).toHaveLength(1);
    expect(results[0], results[0]?.detail).toMatchObject({ ok: true, detail: "InternalError (internal)" });
    await page.close();
  });

  it("serves the example web wallet: it lists and saves; a second tab's edit shows in the first live, and makes the first tab's stale write a conflict", async () => {
    const url = `${allowed.origin}/example/?${new URLSearchParams({ vss: `${server.url}/vss` }).toString()}`;
    const first = await browser.newPage();
    const errors: string[] = [];
    first.on("pageerror", (error) => errors.push(error.message));
    await first.goto(url);
    await expect.poll(() => first.locator("#identity").textContent()).toMatch(/^sigs key …[0-9a-f]{8}$/);
    await first.fill("#key", "note");
    await first.fill("#value", "hello from the example");
    await first.click("button:text('Save')");
    await expect.poll(() => first.locator("#status").textContent()).toBe("saved note");
    await expect.poll(() => first.locator("#keys tr").allTextContents()).toEqual(["note1open"]);

    // Another tab of the same origin: the same key from storage, so the same identity and store.
    const second = await browser.newPage();
    await second.goto(url);
    await expect.poll(() => second.locator("#keys tr").allTextContents()).toEqual(["note1open"]);
    await second.click("#keys button");
    await expect.poll(() => second.locator("#value").inputValue()).toBe("hello from the example");
    await second.fill("#value", "edited in the second tab");
    await second.click("button:text('Save')");
    await expect.poll(() => second.locator("#keys tr").allTextContents()).toEqual(["note2open"]);

    // The first tab hears of it live (watch): its list shows version 2, and it warns that the note it edits changed.
    await expect.poll(() => first.locator("#live").textContent()).toBe("open");
    await expect.poll(() => first.locator("#keys tr").allTextContents()).toEqual(["note2open"]);
    await expect.poll(() => first.locator("#status").textContent()).toBe("note changed elsewhere (version 2): open it again before saving");

    // Its editor still holds version 1: a save anyway is refused as a conflict, never written over the second tab's.
    await first.fill("#value", "stale edit");
    await first.click("button:text('Save')");
    await expect.poll(() => first.locator("#status").textContent()).toBe("note was changed elsewhere: reloaded, edit again");
    await expect.poll(() => first.locator("#keys tr").allTextContents()).toEqual(["note2open"]);
    await first.click("#keys button");
    await expect.poll(() => first.locator("#value").inputValue()).toBe("edited in the second tab");
    await first.screenshot({ path: join(SCREENSHOTS, "example-web-wallet.png"), fullPage: true });
    expect(errors).toEqual([]);
    await first.close();
    await second.close();
  });
});
