import { describe, expect, it } from "vitest";
import { TestClient } from "../support/vss";

describe("smoke", () => {
  it("puts and gets", async () => {
    const client = new TestClient();
    const put = await client.put([["k1", -1, "v1"]]);
    expect(put.status).toBe(200);
    expect(await client.read("k1")).toEqual({ version: 1, value: "v1" });
  });
});
