import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { TestClient } from "../support/vss";

/** CONTRACT.md §5.9: racing conditional writes of one key at one version → exactly one success. */
describe("concurrency", () => {
  it("lets exactly one of 20 racing conditional writes of one key at one version succeed", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "start"]]);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.put([["k", 1, `writer ${i}`]])));
    const winners = replies.flatMap((reply, i) => (reply.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const reply of replies) if (reply.status !== 200) expect(reply.error?.errorCode).toBe(ErrorCode.CONFLICT_EXCEPTION);
    expect(await c.read("k")).toEqual({ version: 2, value: `writer ${winners[0]}` });
  });

  it("lets exactly one of 20 racing creates (version 0) succeed", async () => {
    const c = new TestClient();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.put([["fresh", 0, `creator ${i}`]], { globalVersion: 0 })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect((await c.read("global_version")).version).toBe(1);
  });

  it("applies 50 concurrent unconditional writes to different keys, all of them", async () => {
    const c = new TestClient();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => c.put([[`k${i}`, -1, `v${i}`]])));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect((await c.listAll()).keys).toHaveLength(50);
  });
});
