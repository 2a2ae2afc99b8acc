import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { InternalError } from "../errors.js";
import {
  AcquireLeaseRequestSchema,
  AcquireLeaseResponseSchema,
  GetLeaseRequestSchema,
  GetLeaseResponseSchema,
  GetObjectsRequestSchema,
  GetObjectsResponseSchema,
  ListChangesRequestSchema,
  ListChangesResponseSchema,
  ReleaseLeaseRequestSchema,
  ReleaseLeaseResponseSchema,
  RenewLeaseRequestSchema,
  RenewLeaseResponseSchema,
  WatchTicketRequestSchema,
  WatchTicketResponseSchema,
  type GetObjectsResponse,
  type Lease,
  type ListChangesResponse,
  type WatchTicketResponse,
} from "../gen/multidevice_pb.js";
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
import { encode, getExtensions, post, type CallHeaders, type Extensions, type Transport } from "./transport.js";

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
  /**
   * Headers of this call only, set after the header provider's: `{ "vss-lease": token }` on a fenced write. A
   * function is called before each attempt; a VssError it throws ends the call.
   */
  headers?: CallHeaders;
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
    const response = await this.#call("/getObject", GetObjectRequestSchema, request, GetObjectResponseSchema, options);
    if (!response.value) throw new InternalError("server violated the API: getObject succeeded without a value");
    return response.value;
  }

  /** The only transactional write: every item applies or none does (ConflictError on a version mismatch). */
  async putObjects(request: MessageInitShape<typeof PutObjectRequestSchema>, options: CallOptions = {}): Promise<PutObjectResponse> {
    return this.#call("/putObjects", PutObjectRequestSchema, request, PutObjectResponseSchema, options);
  }

  /** Deletes one key (version -1: whatever its version). Succeeds when nothing matched. */
  async deleteObject(request: MessageInitShape<typeof DeleteObjectRequestSchema>, options: CallOptions = {}): Promise<DeleteObjectResponse> {
    return this.#call("/deleteObject", DeleteObjectRequestSchema, request, DeleteObjectResponseSchema, options);
  }

  /** One page of keys and versions, newest-created first; follow `nextPageToken` until it is empty. */
  async listKeyVersions(request: MessageInitShape<typeof ListKeyVersionsRequestSchema>, options: CallOptions = {}): Promise<ListKeyVersionsResponse> {
    return this.#call("/listKeyVersions", ListKeyVersionsRequestSchema, request, ListKeyVersionsResponseSchema, options);
  }

  // The multi-device extension (MULTIDEVICE.md §3). Lease refusals and fencing are ConflictErrors (never retried).

  /** Takes the store's writer lease (ConflictError naming the holder while another is live, unless `force`). */
  async acquireLease(request: MessageInitShape<typeof AcquireLeaseRequestSchema>, options: CallOptions = {}): Promise<Lease> {
    return leaseOf(await this.#call("/acquireLease", AcquireLeaseRequestSchema, request, AcquireLeaseResponseSchema, options), "acquireLease");
  }

  /** Extends the live lease of `token` by `ttlSeconds` from now (same epoch and token); ConflictError once it is lost. */
  async renewLease(request: MessageInitShape<typeof RenewLeaseRequestSchema>, options: CallOptions = {}): Promise<Lease> {
    return leaseOf(await this.#call("/renewLease", RenewLeaseRequestSchema, request, RenewLeaseResponseSchema, options), "renewLease");
  }

  /** Ends the lease of `token` if it is the live one; any other token changes nothing. */
  async releaseLease(request: MessageInitShape<typeof ReleaseLeaseRequestSchema>, options: CallOptions = {}): Promise<void> {
    await this.#call("/releaseLease", ReleaseLeaseRequestSchema, request, ReleaseLeaseResponseSchema, options);
  }

  /** The live lease (its token empty), or undefined when none is live. */
  async getLease(request: MessageInitShape<typeof GetLeaseRequestSchema>, options: CallOptions = {}): Promise<Lease | undefined> {
    return (await this.#call("/getLease", GetLeaseRequestSchema, request, GetLeaseResponseSchema, options)).lease;
  }

  /** One page of the change feed after `sinceRevision`; see `changesSince` to walk every page. */
  async listChanges(request: MessageInitShape<typeof ListChangesRequestSchema>, options: CallOptions = {}): Promise<ListChangesResponse> {
    return this.#call("/listChanges", ListChangesRequestSchema, request, ListChangesResponseSchema, options);
  }

  /** Up to 100 distinct keys in one round trip; see `getAllObjects` to follow `remainingKeys` and batch more. */
  async getObjects(request: MessageInitShape<typeof GetObjectsRequestSchema>, options: CallOptions = {}): Promise<GetObjectsResponse> {
    return this.#call("/getObjects", GetObjectsRequestSchema, request, GetObjectsResponseSchema, options);
  }

  /** A single-use credential (60 s) for one WebSocket watch of the store, usable where headers cannot be set. */
  async watchTicket(request: MessageInitShape<typeof WatchTicketRequestSchema>, options: CallOptions = {}): Promise<WatchTicketResponse> {
    return this.#call("/watchTicket", WatchTicketRequestSchema, request, WatchTicketResponseSchema, options);
  }

  /** The extension parts the server announces (`{ lease: 1, changes: 1, watch: 1, getObjects: 1 }`); `{}` for none. */
  async extensions(options: CallOptions = {}): Promise<Extensions> {
    return runWithRetry(() => getExtensions(this.#transport, options.signal), this.#policy, { ...this.#retry, signal: options.signal });
  }

  /** Encodes, POSTs with retries, decodes. */
  #call<Req extends DescMessage, Res extends DescMessage>(
    path: string,
    requestSchema: Req,
    request: MessageInitShape<Req>,
    responseSchema: Res,
    options: CallOptions,
  ): Promise<MessageShape<Res>> {
    const body = encode(requestSchema, create(requestSchema, request));
    const call = { signal: options.signal, headers: options.headers };
    return runWithRetry(() => post(this.#transport, path, body, responseSchema, call), this.#policy, { ...this.#retry, signal: options.signal });
  }
}

function leaseOf(response: { lease?: Lease }, call: string): Lease {
  if (!response.lease) throw new InternalError(`server violated the API: ${call} succeeded without a lease`);
  return response.lease;
}
