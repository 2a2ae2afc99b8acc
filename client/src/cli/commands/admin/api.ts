import { fromBinary } from "@bufbuild/protobuf";
import { ErrorResponseSchema } from "../../../gen/vss_pb.js";

/** A store's state as the server's /admin/store answers it (src/store/transfer/transfer.ts). */
export interface StoreStatus {
  state: "empty" | "ready" | "importing";
  importId: string | null;
  received: number;
  source: string | null;
  keys: number;
  bytes: number;
  globalVersion: number;
}

/** An /admin answer that was not a success. */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** Worth trying again: the network, a rate limit, the server or a store being moved. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const ATTEMPTS = 5;

/** The operator's API of one deployment (its /admin routes), with the admin token. */
export class AdminApi {
  readonly base: string;

  constructor(
    url: string,
    readonly token: string,
  ) {
    this.base = url.replace(/\/+$/, "").replace(/\/vss$/, "");
  }

  /** One request; network failures and 429/5xx are retried a few times with backoff before they are thrown. */
  async request(path: string, init: { method?: string; body?: Uint8Array | string; json?: unknown } = {}): Promise<Response> {
    const body = init.json === undefined ? init.body : JSON.stringify(init.json);
    for (let attempt = 1; ; attempt++) {
      let failure: AdminError;
      try {
        const response = await fetch(`${this.base}/admin${path}`, {
          method: init.method ?? "GET",
          headers: { authorization: `Bearer ${this.token}`, "content-type": init.json === undefined ? "application/octet-stream" : "application/json" },
          body,
        });
        if (response.ok) return response;
        failure = new AdminError(response.status, await errorMessage(response));
      } catch (error) {
        failure = new AdminError(0, `cannot reach ${this.base}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!failure.transient || attempt >= ATTEMPTS) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }

  async json<T>(path: string, init: { method?: string; body?: Uint8Array | string; json?: unknown } = {}): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  async identities(cursor: string): Promise<{ identities: string[]; next: string | null }> {
    return this.json(`/identities?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
  }

  async stores(identity: string): Promise<string[]> {
    return (await this.json<{ stores: string[] }>(`/stores?identity=${encodeURIComponent(identity)}`)).stores;
  }

  status(identity: string, storeId: string): Promise<StoreStatus> {
    return this.json(`/store?${storeQuery(identity, storeId)}`);
  }

  /** The store's export stream (docs/export-format.md). */
  async export(identity: string, storeId: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request(`/store/export?${storeQuery(identity, storeId)}`);
    if (!response.body) throw new AdminError(response.status, "export without a body");
    return response.body;
  }

  /**
   * Begins or resumes an import; `replace` also takes over an unfinished import from another source (`force`).
   * `chain`, from an export's header, lets an import into an empty store continue the exported store's history.
   */
  begin(identity: string, storeId: string, source: string, replace: boolean, chain?: { incarnation: string; headRevision: string; headDigest: string }): Promise<StoreStatus & { importId: string }> {
    return this.json(`/store/import/begin?${storeQuery(identity, storeId)}`, { method: "POST", json: { source, replace, force: replace, ...chain } });
  }

  async items(identity: string, storeId: string, importId: string, from: number, frames: Uint8Array): Promise<number> {
    const path = `/store/import/items?${storeQuery(identity, storeId)}&import_id=${encodeURIComponent(importId)}&from=${from}`;
    return (await this.json<{ received: number }>(path, { method: "POST", body: frames })).received;
  }

  commit(identity: string, storeId: string, importId: string, keys: number, globalVersion: number): Promise<StoreStatus> {
    const path = `/store/import/commit?${storeQuery(identity, storeId)}&import_id=${encodeURIComponent(importId)}`;
    return this.json(path, { method: "POST", json: { keys, globalVersion } });
  }
}

const storeQuery = (identity: string, storeId: string) => `identity=${encodeURIComponent(identity)}&store_id=${encodeURIComponent(storeId)}`;

async function errorMessage(response: Response): Promise<string> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    return `HTTP ${response.status}: ${fromBinary(ErrorResponseSchema, bytes).message}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}
