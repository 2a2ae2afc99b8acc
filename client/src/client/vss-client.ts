import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { InternalError } from "../errors.js";
import {
  DeleteObjectRequestSchema,
  DeleteObjectResponseSchema,
  GetObjectRequestSchema,
  GetObjectResponseSchema,
  ListKeyVersionsRequestSchema,
  ListKeyVersionsResponseSchema,
  PutObjectRequestSchema,
  PutObjectResponseSchema,
  type DeleteObjectResponse,
  type KeyValue,
  type ListKeyVersionsResponse,
  type PutObjectResponse,
} from "../gen/vss_pb.js";
import { fixedHeaders } from "../headers/fixed.js";
import type { FetchFunction, HeaderProvider } from "../headers/types.js";
import { ldkNodeRetryPolicy, type RetryPolicy } from "../retry/policy.js";
import { runWithRetry, type RetryOptions } from "../retry/run.js";
import { encode, post, type Transport } from "./transport.js";

/** Per-request deadline of the reference client (CLIENTS.md §1). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** How a {@link VssClient} talks to its server. Every field has a default. */
export interface VssClientOptions {
  /** Authorization and other headers; default: none. */
  headerProvider?: HeaderProvider;
  /** Default: ldk-node's policy. Use `NO_RETRY` to see every failure. */
  retryPolicy?: RetryPolicy;
  /** Default: the global fetch. Inject one for Workers service bindings, tests or proxies. */
  fetch?: FetchFunction;
  /** Deadline of each attempt in milliseconds, including reading the body. */
  timeoutMs?: number;
  /** Overrides how retries wait and lets callers observe them. */
  retry?: Omit<RetryOptions, "signal">;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call, including any wait between retries; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A thin client of the four VSS operations with the reference client's wire behaviour: fetch only, so it runs in
 * browsers, React Native, Node and Workers. Values are sent as given; see StorableBuilder for encryption.
 */
export class VssClient {
  readonly #transport: Transport;
  readonly #policy: RetryPolicy;
  readonly #retry: Omit<RetryOptions, "signal">;

  /** `baseUrl` is used verbatim, e.g. `https://host/vss`; operation names are appended with no separator logic. */
  constructor(
    readonly baseUrl: string,
    options: VssClientOptions = {},
  ) {
    this.#transport = {
      baseUrl,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headerProvider: options.headerProvider ?? fixedHeaders(),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    this.#policy = options.retryPolicy ?? ldkNodeRetryPolicy();
    this.#retry = options.retry ?? {};
  }

  /** Reads one key. Rejects with NoSuchKeyError when it is absent. */
  async getObject(request: MessageInitShape<typeof GetObjectRequestSchema>, options: CallOptions = {}): Promise<KeyValue> {
    const body = encode(GetObjectRequestSchema, create(GetObjectRequestSchema, request));
    return this.#withRetry(options, async () => {
      const response = await post(this.#transport, "/getObject", body, GetObjectResponseSchema, options.signal);
      if (!response.value) throw new InternalError("server violated the API: getObject succeeded without a value");
      return response.value;
    });
  }

  /** The only transactional write: every item applies or none does (ConflictError on a version mismatch). */
  async putObjects(request: MessageInitShape<typeof PutObjectRequestSchema>, options: CallOptions = {}): Promise<PutObjectResponse> {
    const body = encode(PutObjectRequestSchema, create(PutObjectRequestSchema, request));
    return this.#withRetry(options, () => post(this.#transport, "/putObjects", body, PutObjectResponseSchema, options.signal));
  }

  /** Deletes one key (version -1: whatever its version). Succeeds when nothing matched. */
  async deleteObject(request: MessageInitShape<typeof DeleteObjectRequestSchema>, options: CallOptions = {}): Promise<DeleteObjectResponse> {
    const body = encode(DeleteObjectRequestSchema, create(DeleteObjectRequestSchema, request));
    return this.#withRetry(options, () => post(this.#transport, "/deleteObject", body, DeleteObjectResponseSchema, options.signal));
  }

  /** One page of keys and versions, newest-created first; follow `nextPageToken` until it is empty. */
  async listKeyVersions(request: MessageInitShape<typeof ListKeyVersionsRequestSchema>, options: CallOptions = {}): Promise<ListKeyVersionsResponse> {
    const body = encode(ListKeyVersionsRequestSchema, create(ListKeyVersionsRequestSchema, request));
    return this.#withRetry(options, () => post(this.#transport, "/listKeyVersions", body, ListKeyVersionsResponseSchema, options.signal));
  }

  #withRetry<T>(options: CallOptions, operation: () => Promise<T>): Promise<T> {
    return runWithRetry(operation, this.#policy, { ...this.#retry, signal: options.signal });
  }
}
