import { env } from "cloudflare:test";
import { base64urlnopad } from "@scure/base";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { ErrorCode } from "../../src/gen/vss_pb";
import { ADMIN_TOKEN } from "../support/admin";
import { DeviceClient } from "../support/multidevice";
import { watchedObjects } from "../support/object-calls";
import { SigsKey } from "../support/sigs";
import { expectError, send } from "../support/vss";

/** vitest.config.ts binds TEST_RATE_LIMIT_3: three requests per key per 60 s window. */
const small = (env as unknown as { TEST_RATE_LIMIT_3: RateLimit }).TEST_RATE_LIMIT_3;
const utf8 = new TextEncoder();
const b64 = (text: string) => base64urlnopad.encode(utf8.encode(text));

function randomAddress(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint8Array(2));
  return `203.0.${a}.${b}`;
}

/** The emulated limiter counts in fixed 60 s windows: keep a test's requests inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100));
}

/** Tickets an attacker can make without the victim's credentials: the victim's identity is public. */
async function forgedTickets(victim: SigsKey, storeId: string): Promise<string[]> {
  const identity = `sigs:${victim.publicKeyHex}`;
  const attacker = new DeviceClient(storeId);
  const own = (await attacker.ticket()).message?.ticket ?? "";
  const parts = own.split(".");
  const swapped = [b64(identity), ...parts.slice(1)].join(".");
  return [`${b64(identity)}.${b64(storeId)}.${"0".repeat(32)}`, swapped, `${own}x`, own.replace(/.$/, (c) => (c === "A" ? "B" : "A"))];
}

/** Issue 19: nothing an unauthenticated request carries selects whose limits are charged or which object is called. */
describe("requests without valid credentials", () => {
  it("a forged watch ticket charges the identity it names nothing: the victim keeps working under a tight limit", async () => {
    await awayFromWindowEdge();
    const victim = new SigsKey();
    const overrides: Partial<Env> = { VSS_RATE_LIMIT_IDENTITY: small };
    for (const ticket of await forgedTickets(victim, "locked")) {
      for (const upgrade of [false, true]) {
        const device = new DeviceClient("locked", new SigsKey(), { env: overrides, headers: { "cf-connecting-ip": randomAddress() } });
        const answer = await device.watchResponse({ ticket }, { upgrade });
        expect(answer.status, `${ticket} upgrade=${upgrade}`).toBe(401);
      }
    }
    const owner = new DeviceClient("locked", victim, { env: overrides, headers: { "cf-connecting-ip": randomAddress() } });
    expectError(await owner.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
  });

  it("a used watch ticket replayed (from a URL in a log) charges its owner nothing: the owner keeps working under a tight limit", async () => {
    await awayFromWindowEdge();
    const owner = new SigsKey();
    const overrides: Partial<Env> = { VSS_RATE_LIMIT_IDENTITY: small };
    const device = new DeviceClient("replayed", owner, { env: overrides, headers: { "cf-connecting-ip": randomAddress() } });
    const ticket = (await device.ticket()).message?.ticket ?? ""; // 1 of the owner's 3: minting is authenticated
    const watcher = await device.watch(ticket); // its use is charged to the address only
    watcher.close();
    for (let i = 0; i < 3; i++) {
      const replayer = new DeviceClient("replayed", new SigsKey(), { env: overrides, headers: { "cf-connecting-ip": randomAddress() } });
      expect((await replayer.watchResponse({ ticket })).status, `replay ${i}`).toBe(401); // the store knows it was used
      expect((await replayer.watchResponse({ ticket }, { upgrade: false })).status, `replay ${i} without Upgrade`).toBe(400);
    }
    expectError(await device.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION); // 2 of 3
  });

  it("a forged watch ticket counts as a failed authentication of its address (429 past the failure limit)", async () => {
    await awayFromWindowEdge();
    const address = randomAddress();
    const device = new DeviceClient("s", new SigsKey(), { env: { VSS_RATE_LIMIT_AUTH_FAILURES: small }, headers: { "cf-connecting-ip": address } });
    const [forged = ""] = await forgedTickets(new SigsKey(), "s");
    for (let i = 0; i < 3; i++) expect((await device.watchResponse({ ticket: forged })).status).toBe(401);
    expect((await device.watchResponse({ ticket: forged })).status).toBe(429);
  });

  it("no route lets a request without valid credentials reach a Durable Object", async () => {
    const objects = watchedObjects();
    const victim = new SigsKey();
    const storeId = "unreached";
    const tickets = await forgedTickets(victim, storeId);
    const before = objects.reached();
    for (const authorization of [null, "garbage", victim.header(1)]) {
      const device = new DeviceClient(storeId, victim, { env: objects.env, authorization });
      const calls = [
        device.get("k"),
        device.put([["k", 0, "v"]]),
        device.put([]),
        device.delete("k", -1),
        device.list(),
        device.acquire("phone"),
        device.renew("0".repeat(32)),
        device.release("0".repeat(32)),
        device.getLease(),
        device.changes(0),
        device.getObjects(["k"]),
        device.ticket(),
      ];
      for (const reply of await Promise.all(calls)) expectError(reply, 401, ErrorCode.AUTH_EXCEPTION);
      expect((await send("/deleteAccount", null, { env: objects.env, authorization })).status).toBe(401);
      expect((await device.watchResponse({}, { authorization })).status).toBe(401);
    }
    for (const ticket of tickets) {
      const device = new DeviceClient(storeId, victim, { env: objects.env });
      expect((await device.watchResponse({ ticket })).status).toBe(401);
    }
    const admin = await send(`http://vss.test/admin/store?identity=sigs:${victim.publicKeyHex}&store_id=${storeId}`, null, {
      method: "GET",
      authorization: `Bearer ${"x".repeat(40)}`,
      env: { ...objects.env, VSS_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(admin.status).toBe(401);
    expect(objects.reached()).toEqual(before);
  });
});
