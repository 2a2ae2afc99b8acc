import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { headOf, hex, HistoryClient, ZEROS } from "../support/history-chain";
import { expectError, send } from "../support/vss";

/** HISTORY.md §2: every answer of a store-scoped route that reached the store carries the head. */
describe("the head on every answer", () => {
  it("is revision 0 and 64 zero digits on a store never written, for every route", async () => {
    const device = new HistoryClient("head-never");
    const zero = { revision: 0n, digest: hex(ZEROS) };
    for (const reply of [
      await device.get("k"),
      await device.get("global_version"),
      await device.list(),
      await device.getObjects(["k"]),
      await device.changes(0),
      await device.history(0),
      await device.delete("k", -1),
      await device.put([]),
      await device.put([["k", 5, "v"]]),
    ]) {
      expect(headOf(reply)).toEqual(zero);
    }
    expectError(await device.version("k", 1), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
  });

  it("names exactly the revision a write made, and the current head for reads, 404s, conflicts and no-ops", async () => {
    const device = new HistoryClient("head-writes");
    const first = await device.put([["a", 0, "1"]]);
    expect(headOf(first).revision).toBe(1n);
    const second = await device.put([["b", 0, "2"]]);
    const head = headOf(second);
    expect(head.revision).toBe(2n);
    expect(head.digest).not.toBe(headOf(first).digest);
    const conflict = await device.put([["a", 0, "again"]]);
    expectError(conflict, 409, ErrorCode.CONFLICT_EXCEPTION);
    const missing = await device.get("nope");
    expectError(missing, 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    const noop = await device.delete("nope", -1);
    for (const reply of [conflict, missing, noop, await device.get("a"), await device.list(), await device.getObjects(["a", "x"]), await device.changes(1), await device.history(0), await device.version("a", 1)]) {
      expect(headOf(reply)).toEqual(head);
    }
    const removed = await device.delete("a", -1);
    expect(headOf(removed).revision).toBe(3n);
  });

  it("rides a fenced refusal too, and one head always comes with one digest", async () => {
    const device = new HistoryClient("head-fenced");
    await device.put([["k", 0, "v"]]);
    await device.mustAcquire("phone");
    const fenced = await device.put([["k", 1, "stale"]]);
    expectError(fenced, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(headOf(fenced)).toEqual(headOf(await device.get("k")));
  });

  it("starts again from revision 0 with a new incarnation after the store is erased", async () => {
    const device = new HistoryClient("head-erased");
    await device.put([["k", 0, "v"]]);
    const before = (await device.history(0)).message;
    expect((await send("/deleteAccount", null, { authorization: device.key.header() })).status).toBe(200);
    expect(headOf(await device.get("k"))).toEqual({ revision: 0n, digest: hex(ZEROS) });
    expect((await device.history(0)).message).toMatchObject({ headRevision: 0n, incarnation: new Uint8Array(0) });
    await device.put([["k", 0, "again"]]);
    const after = (await device.history(0)).message;
    expect(after?.headRevision).toBe(1n);
    expect(after?.incarnation).toHaveLength(16);
    expect(hex(after?.incarnation ?? ZEROS)).not.toBe(hex(before?.incarnation ?? ZEROS));
  });

  it("is announced and readable from pages: /vss/extensions says history 1, CORS exposes both headers", async () => {
    const extensions = await send("/extensions", null, { method: "GET", authorization: null });
    expect(await extensions.json()).toMatchObject({ history: 1 });
    const device = new HistoryClient("head-cors", undefined, { headers: { origin: "https://wallet.example" } });
    const reply = await device.put([["k", 0, "v"]]);
    const exposed = reply.headers?.get("access-control-expose-headers") ?? "";
    expect(exposed).toContain("vss-revision");
    expect(exposed).toContain("vss-digest");
  });
});
