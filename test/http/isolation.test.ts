import { describe, expect, it } from "vitest";
import { TestClient } from "../support/vss";
import { SigsKey } from "../support/sigs";

/** No read, list or delete of one identity reaches another's data, whatever store_ids and keys they share. */
describe("isolation between identities", () => {
  it("keeps 24 random identities (sigs and none) apart across shared store_ids and keys", { timeout: 180_000 }, async () => {
    const stores = ["", "wallet", "wallet/", "1:sigs", "%_\\"];
    const clients = Array.from({ length: 24 }, (_, i) => {
      const key = new SigsKey();
      return stores.map((storeId) => new TestClient(storeId, key, i === 0 ? { authorization: null, env: { VSS_AUTH_SCHEMES: "none" } } : {}));
    });
    for (const [i, mine] of clients.entries()) {
      for (const c of mine) await c.put([["shared", 0, `owner ${i} ${c.storeId}`], [`own-${i}`, 0, "x"]], { globalVersion: 0 });
    }
    // Everyone deletes the shared key and every other identity's private key in every store: only their own go.
    for (const [i, mine] of clients.entries()) {
      for (const c of mine) {
        expect(await c.read("shared")).toEqual({ version: 1, value: `owner ${i} ${c.storeId}` });
        const keys = (await c.listAll()).keys.map((k) => k.key).sort();
        expect(keys).toEqual([`own-${i}`, "shared"].sort());
        for (let j = 0; j < clients.length; j++) if (j !== i) await c.delete(`own-${j}`, -1);
      }
    }
    for (const [i, mine] of clients.entries()) {
      for (const c of mine) {
        expect((await c.read(`own-${i}`)).version).toBe(1);
        expect((await c.read("global_version")).version).toBe(1);
      }
    }
  });
});
