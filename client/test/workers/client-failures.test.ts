// Retries, deadlines, aborts and protocol checks: faults are injected in the transport in front of the real server.
import { describe, expect, it } from "vitest";
import {
  exponentialBackoff,
  fixedHeaders,
  InternalError,
  ldkNodeRetryPolicy,
  VersionMismatchError,
  withMaxAttempts,
  type FetchFunction,
} from "../../src/index.js";
import { countingFetch, newClient, serverFetch, text } from "./support.js";

/** Fails the first `failures` requests with a network error, then lets requests through to the real server. */
function flaky(failures: number): FetchFunction & { attempts: number } {
  const state = { attempts: 0 };
  const fetcher = async (input: string, init?: RequestInit) => {
    if (++state.attempts <= failures) throw new TypeError("network connection lost");
    return serverFetch(input, init);
  };
  return Object.defineProperty(fetcher, "attempts", { get: () => state.attempts }) as FetchFunction & { attempts: number };
}

/** Never answers; rejects only when its signal aborts. */
const hanging: FetchFunction = (_input, init) =>
  new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }));

describe("requests", () => {
  it("POST octet-stream protobuf with the provider's headers", async () => {
    const seen: Request[] = [];
    const client = newClient({
      fetch: (input, init) => {
        const request = new Request(input, init);
        seen.push(request.clone());
        return serverFetch(input, init);
      },
    });
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: -1n, value: text("v") }] });
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("content-type")).toBe("application/octet-stream");
    expect(request?.headers.get("authorization")).toMatch(/^[0-9a-f]{194}\d+$/);
    const body = new Uint8Array(await request!.arrayBuffer());
    expect(body[0]).toBe(0x0a); // field 1 (store_id), length-delimited
  });
});

describe("retries", () => {
  it("retries transport failures with the ldk-node policy and then succeeds", async () => {
    const fetcher = flaky(3);
    const retries: number[] = [];
    const client = newClient({ fetch: fetcher, retryPolicy: ldkNodeRetryPolicy(), retry: { onRetry: (_, n) => retries.push(n) } });
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: -1n, value: text("v") }] });
    expect(fetcher.attempts).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
    expect((await client.getObject({ storeId: "s", key: "k" })).version).toBe(1n);
  });

  it("gives up after the policy's attempts with the last InternalError", async () => {
    const fetcher = flaky(100);
    const client = newClient({ fetch: fetcher, retryPolicy: withMaxAttempts(exponentialBackoff(1), 3) });
    await expect(client.getObject({ storeId: "s", key: "k" })).rejects.toBeInstanceOf(InternalError);
    expect(fetcher.attempts).toBe(3);
  });

  it("does not retry NoSuchKey or Conflict under the ldk-node policy, but does retry auth failures", async () => {
    const fetcher = countingFetch();
    const client = newClient({ fetch: fetcher, retryPolicy: ldkNodeRetryPolicy() });
    await expect(client.getObject({ storeId: "s", key: "missing" })).rejects.toMatchObject({ kind: "no-such-key" });
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: 0n }] });
    await expect(client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: 0n }] })).rejects.toMatchObject({ kind: "conflict" });
    expect(fetcher.calls).toHaveLength(3);

    const denied = countingFetch();
    const anonymous = newClient({ fetch: denied, headerProvider: fixedHeaders(), retryPolicy: withMaxAttempts(exponentialBackoff(1), 4) });
    await expect(anonymous.getObject({ storeId: "s", key: "k" })).rejects.toMatchObject({ kind: "auth" });
    expect(denied.calls).toHaveLength(4);
  });

  it("fails permanently, without retrying, when the protocol header is missing or different", async () => {
    for (const version of [null, "1"]) {
      let calls = 0;
      const client = newClient({
        retryPolicy: ldkNodeRetryPolicy(),
        fetch: async (input, init) => {
          calls++;
          const real = await serverFetch(input, init);
          const headers = new Headers(real.headers);
          if (version === null) headers.delete("vss-protocol-version");
          else headers.set("vss-protocol-version", version);
          return new Response(real.body, { status: real.status, headers });
        },
      });
      const error = await client.getObject({ storeId: "s", key: "k" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VersionMismatchError);
      expect(error).toMatchObject({ received: version, status: 404 });
      expect(calls).toBe(1);
    }
  });

  it("maps a 2xx body that does not decode, and a 5xx without ErrorResponse, to InternalError", async () => {
    const reply = (status: number, body: Uint8Array) => async () =>
      new Response(body, { status, headers: { "vss-protocol-version": "0" } });
    const garbage = newClient({ fetch: reply(200, Uint8Array.of(0xff, 0xff, 0xff)) });
    await expect(garbage.listKeyVersions({ storeId: "s" })).rejects.toMatchObject({ kind: "internal", status: 200 });
    const plain = newClient({ fetch: reply(502, text("Bad Gateway")) });
    await expect(plain.listKeyVersions({ storeId: "s" })).rejects.toMatchObject({ kind: "internal", status: 502 });
    const empty = newClient({ fetch: reply(200, new Uint8Array()) });
    await expect(empty.getObject({ storeId: "s", key: "k" })).rejects.toThrow(/without a value/);
  });
});

describe("deadlines and aborts", () => {
  it("turns a request that outlives its deadline into InternalError", async () => {
    const client = newClient({ fetch: hanging, timeoutMs: 50 });
    const started = Date.now();
    await expect(client.getObject({ storeId: "s", key: "k" })).rejects.toThrow(/deadline of 50 ms exceeded/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rejects with the caller's abort reason, during a request and during a retry wait", async () => {
    const reason = new Error("user cancelled");
    const during = new AbortController();
    const pending = newClient({ fetch: hanging }).getObject({ storeId: "s", key: "k" }, { signal: during.signal });
    setTimeout(() => during.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);

    const waiting = new AbortController();
    const slowRetry = newClient({ fetch: flaky(100), retryPolicy: exponentialBackoff(60_000) });
    const retrying = slowRetry.getObject({ storeId: "s", key: "k" }, { signal: waiting.signal });
    setTimeout(() => waiting.abort(reason), 20);
    await expect(retrying).rejects.toBe(reason);

    const already = AbortSignal.abort(reason);
    await expect(newClient().getObject({ storeId: "s", key: "k" }, { signal: already })).rejects.toBe(reason);
  });
});
