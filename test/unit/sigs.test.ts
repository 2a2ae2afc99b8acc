import { describe, expect, it } from "vitest";
import { bytesToHex } from "@noble/hashes/utils.js";
import { SIGS_SALT, sigsAuthenticator, sigsDigest } from "../../src/auth/sigs";
import { SigsKey } from "../support/sigs";

describe("sigsAuthenticator", () => {
  it("uses the 64-byte salt constant", () => {
    expect(SIGS_SALT).toHaveLength(64);
    expect(new TextDecoder().decode(SIGS_SALT)).toBe("VSS Signature Authorizer Signing Salt Constant..................");
  });

  it("signs SHA-256(salt ‖ pubkey ‖ timestamp as sent)", () => {
    const a = sigsDigest(new Uint8Array(33).fill(2), "1700000000");
    const b = sigsDigest(new Uint8Array(33).fill(2), "01700000000");
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });

  it("re-checks the time window of a header it verified before", async () => {
    const auth = sigsAuthenticator(3600);
    const key = new SigsKey();
    const header = key.header(1_700_000_000);
    expect(await auth.authenticate(header, 1_700_000_100)).toEqual({ scheme: "sigs", subject: key.publicKeyHex });
    expect(await auth.authenticate(header, 1_700_000_100 + 3600)).toBeNull();
    expect(await auth.authenticate(header, 1_700_000_000 - 3601)).toBeNull();
    expect(await auth.authenticate(header, 1_700_000_050)).not.toBeNull();
  });

  it("takes the identity as sent and refuses headers of the wrong shape", async () => {
    const auth = sigsAuthenticator(86_400);
    const key = new SigsKey();
    const header = key.header(1_700_000_000);
    expect(await auth.authenticate(header.slice(0, 194), 1_700_000_000)).toBeNull();
    expect(await auth.authenticate(header + "x", 1_700_000_000)).toBeNull();
    expect(await auth.authenticate(" " + header, 1_700_000_000)).toBeNull();
    expect(auth.accepts(header.slice(0, 194))).toBe(false);
  });
});

describe("configOf", () => {
  it("keeps one configuration (and its caches) for env objects with the same contents", async () => {
    const { configOf } = await import("../../src/config");
    const vars = { VSS_AUTH_SCHEMES: "sigs", VSS_MAX_REQUEST_BYTES: "2048" };
    const a = configOf({ ...vars } as never);
    expect(configOf({ ...vars } as never)).toBe(a);
    expect(configOf({ ...vars, VSS_MAX_REQUEST_BYTES: "4096" } as never)).not.toBe(a);
  });
});
