import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { AuthError, errorFromCode, InternalError, VersionMismatchError, VssError } from "../errors.js";
import { ErrorResponseSchema } from "../gen/vss_pb.js";
import type { FetchFunction, HeaderProvider } from "../headers/types.js";
import { readHead, type StoreHead } from "../history/head.js";
import { deadline } from "./deadline.js";
import { keepByteOrderMarks } from "./utf8.js";

/** The response header every VSS server sends, and the only value this client accepts (CLIENTS.md §1). */
export const PROTOCOL_VERSION_HEADER = "vss-protocol-version";
export const PROTOCOL_VERSION = "0";
const OCTET_STREAM = "application/octet-stream";

/** Everything one HTTP exchange needs. */
export interface Transport {
  baseUrl: string;
  fetch: FetchFunction;
  headerProvider: HeaderProvider;
  timeoutMs: number;
}

/** Headers of one call, or a function that gives them before each attempt (and may refuse it by throwing a VssError). */
export type CallHeaders = Record<string, string> | (() => Record<string, string>);

/** One call's own options: its abort signal and headers added after the provider's (e.g. `vss-lease`). */
export interface PostOptions {
  signal?: AbortSignal;
  headers?: CallHeaders;
}

async function headersFor(transport: Transport, body: Uint8Array, callHeaders: CallHeaders = {}): Promise<Headers> {
  const extra = typeof callHeaders === "function" ? callHeaders() : callHeaders;
  let provided: Record<string, string>;
  try {
    provided = await transport.headerProvider.getHeaders(body);
  } catch (error) {
    if (error instanceof VssError) throw error;
    throw new AuthError(`header provider failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
  const headers = new Headers({ "content-type": OCTET_STREAM });
  for (const [name, value] of Object.entries(provided)) headers.set(name, value);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return headers;
}

function decodeOrInternal<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array, status: number): MessageShape<Desc> {
  keepByteOrderMarks();
  try {
    return fromBinary(schema, bytes);
  } catch (cause) {
    throw new InternalError(`undecodable ${schema.typeName} (HTTP ${status})`, status, { cause });
  }
}

/** Maps a non-2xx answer to its typed error; a body that is not an ErrorResponse is an internal error. */
function errorFromBody(bytes: Uint8Array, status: number): VssError {
  let decoded;
  try {
    decoded = fromBinary(ErrorResponseSchema, bytes);
  } catch (cause) {
    return new InternalError(`HTTP ${status} without a decodable ErrorResponse`, status, { cause });
  }
  return errorFromCode(decoded.errorCode, decoded.message || `HTTP ${status}`, status);
}

/** A decoded answer and the store's head it carried, if any (HISTORY.md §2). */
export interface Answer<T> {
  message: T;
  head: StoreHead | undefined;
}

/**
 * One POST of `base + path` (string concatenation, as the reference client does): protobuf in, protobuf out.
 * The protocol header is checked before the status. An error answer's head rides on the thrown VssError.
 * Transport failures and the deadline become InternalError; the caller's own abort rethrows the signal's reason.
 */
export async function post<Desc extends DescMessage>(
  transport: Transport,
  path: string,
  request: Uint8Array,
  responseSchema: Desc,
  options: PostOptions = {},
): Promise<Answer<MessageShape<Desc>>> {
  const { signal } = options;
  const headers = await headersFor(transport, request, options.headers);
  const limit = deadline(transport.timeoutMs, signal);
  let status = 0;
  try {
    // toBinary's output owns a plain ArrayBuffer; the DOM's BodyInit type asks for exactly that.
    const body = request as Uint8Array<ArrayBuffer>;
    const response = await transport.fetch(transport.baseUrl + path, { method: "POST", headers, body, signal: limit.signal });
    status = response.status;
    const version = response.headers.get(PROTOCOL_VERSION_HEADER);
    if (version !== PROTOCOL_VERSION) {
      await response.body?.cancel().catch(() => undefined);
      throw new VersionMismatchError(version, status);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const head = readHead(response.headers);
    if (status >= 200 && status < 300) return { message: decodeOrInternal(responseSchema, bytes, status), head };
    const error = errorFromBody(bytes, status);
    error.head = head;
    throw error;
  } catch (error) {
    if (error instanceof VssError) throw error;
    if (signal?.aborted) throw signal.reason;
    const reason = limit.timedOut ? `deadline of ${transport.timeoutMs} ms exceeded` : `transport failure: ${error instanceof Error ? error.message : String(error)}`;
    throw new InternalError(`${path}: ${reason}`, status || undefined, { cause: error });
  } finally {
    limit.done();
  }
}

/** The parts of the multi-device extension a server announces, each with its version (MULTIDEVICE.md §3). */
export interface Extensions {
  lease?: number;
  changes?: number;
  watch?: number;
  getObjects?: number;
  [part: string]: number | undefined;
}

/**
 * `GET {base}/extensions`, unauthenticated. A 404 (a server without extensions, such as the reference vss-server)
 * is `{}`; any other failure is a typed error as for the POST calls.
 */
export async function getExtensions(transport: Transport, signal?: AbortSignal): Promise<Extensions> {
  const limit = deadline(transport.timeoutMs, signal);
  try {
    const response = await transport.fetch(`${transport.baseUrl}/extensions`, { method: "GET", signal: limit.signal });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status === 404) return {};
    const version = response.headers.get(PROTOCOL_VERSION_HEADER);
    if (version !== PROTOCOL_VERSION) throw new VersionMismatchError(version, response.status);
    if (!response.ok) throw errorFromBody(bytes, response.status);
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InternalError("extensions: not a JSON object", response.status);
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
  } catch (error) {
    if (error instanceof VssError) throw error;
    if (signal?.aborted) throw signal.reason;
    throw new InternalError(`/extensions: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  } finally {
    limit.done();
  }
}

/** Encodes a request message with its schema. */
export function encode<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  return toBinary(schema, message);
}
