import { encodeError } from "../codec/responses";
import { headHeaders } from "../codec/head";
import { VssError, internalError } from "../errors";
import type { Head } from "../store/types";

/** The header every response carries; vss-client-ng ≥ 0.6 fails permanently without it (CONTRACT.md §2). */
export const PROTOCOL_VERSION_HEADER = "vss-protocol-version";
export const PROTOCOL_VERSION = "0";

const OCTET_STREAM = { "content-type": "application/octet-stream" };

/** A 200 with a protobuf body, given whole or as parts (streamed without joining them), and the store's head if given. */
export function protobufResponse(body: Uint8Array | Uint8Array[], head?: Head): Response {
  const headers = head ? { ...OCTET_STREAM, ...headHeaders(head) } : OCTET_STREAM;
  if (body instanceof Uint8Array) return new Response(body, { status: 200, headers });
  const length = body.reduce((sum, part) => sum + part.byteLength, 0);
  const parts = body.values();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return new Response(stream, { status: 200, headers: { ...headers, "content-length": String(length) } });
}

/** The one place an ErrorResponse is written. Anything that is not a VssError is logged and answered as a 500. */
export function errorResponse(error: unknown, headers?: Record<string, string>): Response {
  let vss: VssError;
  if (error instanceof VssError) {
    vss = error;
  } else {
    console.error("unexpected error", error);
    vss = internalError();
  }
  return new Response(encodeError(vss.code, vss.message), { status: vss.status, headers: { ...OCTET_STREAM, ...vss.headers, ...headers } });
}

/** Sets the protocol header on any response, copying it first when its headers are immutable. */
export function withProtocolHeader(response: Response): Response {
  try {
    response.headers.set(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION);
    return copy;
  }
}
