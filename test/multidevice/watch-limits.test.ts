import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { ErrorCode, ErrorResponseSchema } from "../../src/gen/vss_pb";
import { DeviceClient, type Watcher } from "../support/multidevice";
import { SigsKey } from "../support/sigs";
import { restart } from "../support/stores";

const LIMITED = { VSS_WATCHERS_PER_IDENTITY: "3" };

async function refusal(response: Response) {
  return { status: response.status, retryAfter: response.headers.get("retry-after"), code: fromBinary(ErrorResponseSchema, new Uint8Array(await response.arrayBuffer())).errorCode };
}

const settle = () => new Promise((r) => setTimeout(r, 300));

/** Issue 19, finding 5: watchers are bounded per identity (VSS_WATCHERS_PER_IDENTITY), over all of its stores. */
describe("watchers per identity", () => {
  it("refuses the watcher past the identity's limit with a retryable 429, whichever store it names; others are unaffected", async () => {
    const key = new SigsKey();
    const on = (storeId: string, who = key) => new DeviceClient(storeId, who, { env: LIMITED });
    const open: Watcher[] = [await on("a").watch(), await on("a").watch(), await on("b").watch()];
    for (const storeId of ["a", "c"]) {
      expect(await refusal(await on(storeId).watchResponse({}))).toEqual({ status: 429, retryAfter: "30", code: ErrorCode.INTERNAL_SERVER_EXCEPTION });
    }
    const ticket = (await on("c").ticket()).message?.ticket ?? "";
    expect((await on("c").watchResponse({ ticket })).status).toBe(429);
    const stranger = await on("a", new SigsKey()).watch(); // another identity has its own allowance
    stranger.close();
    // A closed socket gives its place back.
    open.pop()?.close();
    await settle();
    open.push(await on("c").watch());
    for (const watcher of open) watcher.close();
  });

  it("holds the limit under a burst: admissions in flight count while the account recounts", async () => {
    // Before admissions were counted, a recount set a store whose watcher was still on its way back to 0: one in
    // two such bursts let two watchers into the last place. Three rounds, each a fresh identity.
    for (let round = 0; round < 3; round++) {
      const key = new SigsKey();
      const on = (storeId: string) => new DeviceClient(storeId, key, { env: LIMITED });
      const open: Watcher[] = [await on("burst-a").watch(), await on("burst-a").watch()];
      // One place left; twelve watchers asked for at once, each on a store of its own.
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => on(`burst-${i}`).watchResponse({})));
      const accepted = answers.filter((r) => r.status === 101);
      expect(answers.filter((r) => r.status !== 101 && r.status !== 429).map((r) => r.status)).toEqual([]);
      for (const response of accepted) {
        response.webSocket?.accept();
        response.webSocket?.close(1000, "done");
      }
      for (const watcher of open) watcher.close();
      expect(accepted.length, `round ${round}`).toBe(1);
    }
  });

  it("counts only sockets that are open: a store that lost its sockets (restart) gives their places back", async () => {
    const key = new SigsKey();
    const device = new DeviceClient("restarted", key, { env: LIMITED });
    const open = [await device.watch(), await device.watch(), await device.watch()];
    expect((await device.watchResponse({})).status).toBe(429);
    await restart(device);
    await Promise.all(open.map((w) => w.until(() => w.closed !== null, "the socket to drop").catch(() => w.close())));
    await settle();
    const again = await device.watch();
    await again.reach(0);
    again.close();
  });
});
