import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { headOf, HistoryClient } from "../support/history-chain";
import { expectError } from "../support/vss";

const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);

/** HISTORY.md §4, getVersion: the key's state just after a revision, the past byte-exact while retained. */
describe("getVersion", () => {
  it("answers the version current after each revision, with the revision that made it", async () => {
    const device = new HistoryClient("version-basic");
    await device.put([["k", 0, "one"]]); // 1
    await device.put([["other", 0, "x"]]); // 2
    await device.put([["k", 1, "two"]]); // 3
    await device.delete("k", 2); // 4
    await device.put([["k", 0, "three"]]); // 5
    const at = async (revision: number) => (await device.version("k", revision)).message;
    expect(await at(1)).toMatchObject({ revision: 1n, value: { key: "k", version: 1n } });
    expect(text((await at(1))?.value?.value)).toBe("one");
    expect(text((await at(2))?.value?.value)).toBe("one");
    expect(await at(2)).toMatchObject({ revision: 1n });
    expect(await at(3)).toMatchObject({ revision: 3n, value: { version: 2n } });
    expect(text((await at(3))?.value?.value)).toBe("two");
    expectError(await device.version("k", 4), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect(text((await at(5))?.value?.value)).toBe("three");
    expectError(await device.version("other", 1), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    const reply = await device.version("k", 3);
    expect(headOf(reply).revision).toBe(5n);
  });

  it("refuses revisions outside the chain and the reserved key with 400", async () => {
    const device = new HistoryClient("version-bounds");
    await device.put([["k", 0, "v"]]);
    for (const revision of [0, 2, 99]) expectError(await device.version("k", revision), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    const reserved = await device.version("global_version", 1);
    expectError(reserved, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
  });

  it("returns a past large value byte-exact", async () => {
    const device = new HistoryClient("version-large");
    const old = pattern(5 * 1024 * 1024 + 11, 3);
    await device.put([["big", 0, old]]);
    await device.put([["big", 1, "small now"]]);
    const past = (await device.version("big", 1)).message?.value?.value ?? new Uint8Array(0);
    expect(past.length).toBe(old.length);
    expect(Buffer.from(past).equals(Buffer.from(old))).toBe(true);
  });

  it("answers `pruned:` for a replaced value whose bytes are not retained (VSS_HISTORY_VALUES_DAYS=0); the current one still answers", async () => {
    const device = new HistoryClient("version-novalues", undefined, { env: { VSS_HISTORY_VALUES_DAYS: "0" } });
    await device.put([["k", 0, "one"]]);
    await device.put([["k", 1, "two"]]);
    const gone = await device.version("k", 1);
    expectError(gone, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(gone.error?.message).toMatch(/^pruned:/);
    expect(text((await device.version("k", 2)).message?.value?.value)).toBe("two");
  });
});
