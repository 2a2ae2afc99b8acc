import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { InternalError, VssError } from "../errors.js";
import {
  GetHistoryRequestSchema,
  GetHistoryResponseSchema,
  GetVersionRequestSchema,
  GetVersionResponseSchema,
  type GetHistoryResponse,
  type GetVersionResponse,
} from "../gen/history_pb.js";
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
import type { HistoryVerifier, VerifierFactory } from "../history/verifier.js";
import { deleteChanges, putChanges, type OwnWrite } from "../history/writer.js";
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
  /**
   * The verifying mode, `verifying({ checkpoints, … })` (HISTORY.md §6): every store answer's head is checked
   * against the store's checkpoint; rollbacks and forks are refused (RollbackError, ForkError), newer heads proven
   * before the checkpoint is raised.
   */
  verify?: VerifierFactory;
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
  /** Verifying clients: audit the values this call reads against the verified chain (ValueAuditError). */
  audit?: boolean;
}

/** What the verifier needs to know of a call besides its answer. */
interface Facts<M> {
  storeId: string | undefined;
  write?: () => OwnWrite | undefined;
  read?: (message: M) => { values: readonly KeyValue[]; missing: readonly string[] };
  /** A 404 answer means this key is missing at the answer's head. */
  missingKey?: string;
}

/**
 * A thin client of the four VSS operations with the reference client's wire behaviour: fetch only, so it runs in
 * browsers, React Native, Node and Workers. Values are sent as given; see StorableBuilder for encryption.
 */
export class VssClient {
  readonly #transport: Transport;
  readonly #policy: RetryPolicy;
  readonly #retry: Omit<RetryOptions, "signal">;
  readonly #verifier: HistoryVerifier | undefined;

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
    const history = (storeId: string, afterRevision: bigint, resumeKey: string | undefined, pageSize: number | undefined) =>
      this.#call("/getHistory", GetHistoryRequestSchema, { storeId, afterRevision, resumeKey, pageSize }, GetHistoryResponseSchema, {});
    this.#verifier = options.verify?.({ baseUrl, history });
  }

  /** The verifying mode's state (checkpoints, the proven chain of each store), when `verify` was given. */
  get verifier(): HistoryVerifier | undefined {
    return this.#verifier;
  }

  /** Reads one key. Rejects with NoSuchKeyError when it is absent. */
  async getObject(request: MessageInitShape<typeof GetObjectRequestSchema>, options: CallOptions = {}): Promise<KeyValue> {
    const facts = { storeId: request.storeId, read: (m: { value?: KeyValue }) => ({ values: m.value ? [m.value] : [], missing: [] }), missingKey: request.key ?? "" };
    const response = await this.#call("/getObject", GetObjectRequestSchema, request, GetObjectResponseSchema, options, facts);
    if (!response.value) throw new InternalError("server violated the API: getObject succeeded without a value");
    return response.value;
  }

  /** The only transactional write: every item applies or none does (ConflictError on a version mismatch). */
  async putObjects(request: MessageInitShape<typeof PutObjectRequestSchema>, options: CallOptions = {}): Promise<PutObjectResponse> {
    return this.#call("/putObjects", PutObjectRequestSchema, request, PutObjectResponseSchema, options, { storeId: request.storeId, write: () => putChanges(request) });
  }

  /** Deletes one key (version -1: whatever its version). Succeeds when nothing matched. */
  async deleteObject(request: MessageInitShape<typeof DeleteObjectRequestSchema>, options: CallOptions = {}): Promise<DeleteObjectResponse> {
    return this.#call("/deleteObject", DeleteObjectRequestSchema, request, DeleteObjectResponseSchema, options, { storeId: request.storeId, write: () => deleteChanges(request) });
  }

  /** One page of keys and versions, newest-created first; follow `nextPageToken` until it is empty. */
  async listKeyVersions(request: MessageInitShape<typeof ListKeyVersionsRequestSchema>, options: CallOptions = {}): Promise<ListKeyVersionsResponse> {
    return this.#call("/listKeyVersions", ListKeyVersionsRequestSchema, request, ListKeyVersionsResponseSchema, options, { storeId: request.storeId });
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
    return this.#call("/listChanges", ListChangesRequestSchema, request, ListChangesResponseSchema, options, { storeId: request.storeId });
  }

  /** Up to 100 distinct keys in one round trip; see `getAllObjects` to follow `remainingKeys` and batch more. */
  async getObjects(request: MessageInitShape<typeof GetObjectsRequestSchema>, options: CallOptions = {}): Promise<GetObjectsResponse> {
    const read = (m: GetObjectsResponse) => ({ values: m.values, missing: m.missingKeys });
    return this.#call("/getObjects", GetObjectsRequestSchema, request, GetObjectsResponseSchema, options, { storeId: request.storeId, read });
  }

  /** A single-use credential (60 s) for one WebSocket watch of the store, usable where headers cannot be set. */
  async watchTicket(request: MessageInitShape<typeof WatchTicketRequestSchema>, options: CallOptions = {}): Promise<WatchTicketResponse> {
    return this.#call("/watchTicket", WatchTicketRequestSchema, request, WatchTicketResponseSchema, options);
  }

  /** The extension parts the server announces (`{ lease: 1, changes: 1, watch: 1, getObjects: 1 }`); `{}` for none. */
  async extensions(options: CallOptions = {}): Promise<Extensions> {
    return runWithRetry(() => getExtensions(this.#transport, options.signal), this.#policy, { ...this.#retry, signal: options.signal });
  }

  // The history extension (HISTORY.md §4).

  /** One page of revision records after `afterRevision`; see `verifyHistory` to recompute the chain from them. */
  async getHistory(request: MessageInitShape<typeof GetHistoryRequestSchema>, options: CallOptions = {}): Promise<GetHistoryResponse> {
    return this.#call("/getHistory", GetHistoryRequestSchema, request, GetHistoryResponseSchema, options, { storeId: request.storeId });
  }

  /** A key's value as it was just after `revision` (NoSuchKeyError: absent then; InvalidRequestError `pruned:`: no longer retained). */
  async getVersion(request: MessageInitShape<typeof GetVersionRequestSchema>, options: CallOptions = {}): Promise<GetVersionResponse> {
    return this.#call("/getVersion", GetVersionRequestSchema, request, GetVersionResponseSchema, options, { storeId: request.storeId });
  }

  /** Encodes, POSTs with retries, decodes; in the verifying mode, checks the answer's head (and its 404/409's). */
  async #call<Req extends DescMessage, Res extends DescMessage>(
    path: string,
    requestSchema: Req,
    request: MessageInitShape<Req>,
    responseSchema: Res,
    options: CallOptions,
    facts?: Facts<MessageShape<Res>>,
  ): Promise<MessageShape<Res>> {
    const body = encode(requestSchema, create(requestSchema, request));
    const call = { signal: options.signal, headers: options.headers };
    const attempt = () => runWithRetry(() => post(this.#transport, path, body, responseSchema, call), this.#policy, { ...this.#retry, signal: options.signal });
    const verifier = this.#verifier;
    if (options.audit && !verifier) throw new TypeError("audit needs a verifying client (VssClientOptions.verify)");
    if (!verifier || !facts) return (await attempt()).message;
    const storeId = facts.storeId ?? "";
    const observed = { storeId, sentAt: await verifier.sentAt(storeId), audit: options.audit };
    let answer;
    try {
      answer = await attempt();
    } catch (error) {
      if (error instanceof VssError && (error.status === 404 || error.status === 409)) {
        const missing = error.status === 404 && facts.missingKey !== undefined ? [facts.missingKey] : undefined;
        await verifier.observe({ ...observed, head: error.head, missing });
      }
      throw error;
    }
    const read = facts.read?.(answer.message);
    await verifier.observe({ ...observed, head: answer.head, write: facts.write, values: read?.values, missing: read?.missing });
    return answer.message;
  }
}

function leaseOf(response: { lease?: Lease }, call: string): Lease {
  if (!response.lease) throw new InternalError(`server violated the API: ${call} succeeded without a lease`);
  return response.lease;
}
