import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { parseCorsOrigins } from "../../src/worker/cors-origins";

function configError(value: string): string {
  try {
    parseConfig({ ...env, VSS_CORS_ORIGINS: value } as Env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(value)}`);
}

describe("VSS_CORS_ORIGINS parsing", () => {
  it("defaults to any origin; accepts *, off, and lists of origins as browsers send them", () => {
    expect(parseCorsOrigins(undefined)).toBe("*");
    expect(parseCorsOrigins("  ")).toBe("*");
    expect(parseCorsOrigins(" off ")).toBe("off");
    expect(parseConfig({ ...env, VSS_CORS_ORIGINS: undefined } as Env).corsOrigins).toBe("*");
    const list = parseCorsOrigins("https://wallet.example, http://localhost:5173,,http://[::1]:8080, chrome-extension://abcdefgh, capacitor://localhost");
    expect(list).toEqual(new Set(["https://wallet.example", "http://localhost:5173", "http://[::1]:8080", "chrome-extension://abcdefgh", "capacitor://localhost"]));
  });

  it("refuses what a browser never sends as Origin, naming the variable and suggesting the right spelling", () => {
    expect(configError("https://wallet.example/")).toMatch(/^VSS_CORS_ORIGINS: "https:\/\/wallet.example\/" is not an origin .*; write "https:\/\/wallet.example"$/);
    expect(configError("https://Wallet.Example")).toMatch(/write "https:\/\/wallet.example"/);
    expect(configError("https://wallet.example:443")).toMatch(/write "https:\/\/wallet.example"/);
    expect(configError("https://wallet.example/app?x=1")).toMatch(/write "https:\/\/wallet.example"/);
    expect(configError("https://user@wallet.example")).toMatch(/write "https:\/\/wallet.example"/);
    expect(configError("Chrome-Extension://abc")).toMatch(/write "chrome-extension:\/\/abc"/);
    expect(configError("wallet.example")).toMatch(/^VSS_CORS_ORIGINS: "wallet.example" is not an origin as a browser sends it \(scheme:\/\/host\[:port\]\)$/);
    expect(configError("null")).toMatch(/"null" would admit every sandboxed page/);
    expect(configError("*, https://wallet.example")).toMatch(/"\*" and "off" stand alone/);
    expect(configError("https://a.example, off")).toMatch(/"\*" and "off" stand alone/);
    expect(configError(" , ")).toMatch(/names no origin/);
  });
});
