import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import {
  DeleteObjectRequestSchema,
  DeleteObjectResponseSchema,
  ErrorResponseSchema,
  GetObjectRequestSchema,
  GetObjectResponseSchema,
  ListKeyVersionsRequestSchema,
  ListKeyVersionsResponseSchema,
  PutObjectRequestSchema,
  PutObjectResponseSchema,
  type ErrorCode,
  type ErrorResponse,
  KeyValueSchema,
  type KeyValue,
} from "../../src/gen/vss_pb";
import { SigsKey } from "./sigs";

export const BASE = "http://vss.test/vss";

export interface SendOptions {
  /** The authorization header; undefined signs a fresh sigs header for the client's key, null sends none. */
  authorization?: string | null;
  /** Variables to override for this request. */
  env?: Partial<Env>;
  /** Send through the runtime's loopback (`exports.default.fetch`) instead of calling the handler directly. */
  loopback?: boolean;
  method?: string;
  headers?: Record<string, string>;
}

/**
 * Sends one raw request to the Worker's fetch handler, with the test's real bindings (SQLite Durable Objects).
 * The handler is called directly: in vitest-pool-workers 0.15, `exports.default.fetch` slows down with every
 * call (400 calls: 2.5 ms → 37 ms each, even for a 401), which long conformance scenarios cannot afford.
 */
export async function send(path: string, body: BodyInit | null, options: SendOptions = {}): Promise<Response> {
  const headers = new Headers({ "content-type": "application/octet-stream", ...options.headers });
  if (options.authorization) headers.set("authorization", options.authorization);
  const request = new Request(path.startsWith("http") ? path : BASE + path, {
    method: options.method ?? "POST",
    headers,
    body,
  });
  if (options.loopback) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, ...options.env } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A decoded reply: the message on success, the ErrorResponse otherwise. */
export interface Reply<T> {
  status: number;
  message?: T;
  error?: ErrorResponse;
  /** The answer's headers (the store's head rides in vss-revision and vss-digest, HISTORY.md §2). */
  headers?: Headers;
}

/** Asserts the protocol header and decodes the body as `schema` (2xx) or ErrorResponse. */
export async function decodeReply<Desc extends DescMessage>(response: Response, schema: Desc): Promise<Reply<MessageShape<Desc>>> {
  expect(response.headers.get("vss-protocol-version")).toBe("0");
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.ok) return { status: response.status, message: fromBinary(schema, bytes), headers: response.headers };
  return { status: response.status, error: fromBinary(ErrorResponseSchema, bytes), headers: response.headers };
}

/** Asserts a failed reply's status and error code. */
export function expectError(reply: Reply<unknown>, status: number, code: ErrorCode): void {
  expect(reply.error, `expected ${status}, got ${reply.status}`).toBeDefined();
  expect(reply.status).toBe(status);
  expect(reply.error?.errorCode).toBe(code);
}

export type Item = [key: string, version: number | bigint, value?: string | Uint8Array];

function keyValue([key, version, value]: Item): MessageInitShape<typeof KeyValueSchema> {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return { key, version: BigInt(version), value: bytes };
}

/** A client of one store under one sigs key, speaking real protobuf over the Worker's HTTP surface. */
export class TestClient {
  constructor(
    readonly storeId = "store",
    readonly key = new SigsKey(),
    readonly options: SendOptions = {},
  ) {}

  async call<Req extends DescMessage, Res extends DescMessage>(
    operation: string,
    requestSchema: Req,
    init: MessageInitShape<Req>,
    responseSchema: Res,
  ): Promise<Reply<MessageShape<Res>>> {
    const body = toBinary(requestSchema, create(requestSchema, init));
    const authorization = this.options.authorization === undefined ? this.key.header() : this.options.authorization;
    return decodeReply(await send(`/${operation}`, body, { ...this.options, authorization }), responseSchema);
  }

  get(key: string) {
    return this.call("getObject", GetObjectRequestSchema, { storeId: this.storeId, key }, GetObjectResponseSchema);
  }

  put(items: Item[], extra: { globalVersion?: number | bigint; deletes?: Item[] } = {}) {
    return this.call(
      "putObjects",
      PutObjectRequestSchema,
      {
        storeId: this.storeId,
        transactionItems: items.map(keyValue),
        deleteItems: (extra.deletes ?? []).map(keyValue),
        globalVersion: extra.globalVersion === undefined ? undefined : BigInt(extra.globalVersion),
      },
      PutObjectResponseSchema,
    );
  }

  delete(key: string, version: number | bigint) {
    return this.call("deleteObject", DeleteObjectRequestSchema, { storeId: this.storeId, keyValue: keyValue([key, version]) }, DeleteObjectResponseSchema);
  }

  list(init: { prefix?: string; pageSize?: number; pageToken?: string } = {}) {
    return this.call(
      "listKeyVersions",
      ListKeyVersionsRequestSchema,
      { storeId: this.storeId, keyPrefix: init.prefix, pageSize: init.pageSize, pageToken: init.pageToken },
      ListKeyVersionsResponseSchema,
    );
  }

  /** Every page of a listing, following next_page_token until it is empty. */
  async listAll(init: { prefix?: string; pageSize?: number } = {}) {
    const pages: { keyVersions: KeyValue[]; globalVersion?: bigint; nextPageToken?: string }[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 100_000; i++) {
      const reply = await this.list({ ...init, pageToken });
      if (!reply.message) throw new Error(`list failed: ${reply.status} ${reply.error?.message}`);
      pages.push(reply.message);
      pageToken = reply.message.nextPageToken;
      if (!pageToken) break;
    }
    return { pages, keys: pages.flatMap((page) => page.keyVersions) };
  }

  /** getObject's version and value as text, asserting success. */
  async read(key: string): Promise<{ version: number; value: string }> {
    const reply = await this.get(key);
    if (!reply.message?.value) throw new Error(`get ${key} failed: ${reply.status} ${reply.error?.message}`);
    return { version: Number(reply.message.value.version), value: new TextDecoder().decode(reply.message.value.value) };
  }
}
