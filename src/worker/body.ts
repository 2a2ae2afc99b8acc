import { invalidRequest, payloadTooLarge } from "../errors";

/** Watches a body while it arrives and throws (a VssError) to refuse it early: see codec/bounds.ts. */
export interface BodyGuard {
  feed(bytes: Uint8Array, length: number, final?: boolean): void;
}

/** The buffer a body starts in; it grows fourfold as bytes arrive, so memory follows what was really received. */
const INITIAL_BYTES = 64 * 1024;
const GROWTH = 4;

/** A Content-Length header as a number, or null when absent or not a plain decimal. */
function declaredLength(request: Request): number | null {
  const declared = request.headers.get("content-length");
  return declared !== null && /^[0-9]{1,16}$/.test(declared.trim()) ? Number(declared.trim()) : null;
}

/**
 * Reads a request body of at most `limit` bytes, counting the bytes as they stream whatever the headers declare:
 * 413 the moment the limit is passed (a declared Content-Length over the limit is refused before reading).
 * `guard`, if given, sees the bytes as they arrive and may refuse the body before it is whole. A body the client
 * stops sending midway is a 400, not a server fault.
 */
export async function readBody(request: Request, limit: number, guard?: BodyGuard): Promise<Uint8Array> {
  const declared = declaredLength(request);
  if (declared !== null && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw payloadTooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  // A declared length is a capacity hint only (chunked framing may come with a false one); never a limit.
  const expected = declared ?? limit;
  let buffer: Uint8Array = new Uint8Array(Math.min(expected, INITIAL_BYTES));
  let length = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw invalidRequest("request body was not received whole");
      }
      if (chunk.done) break;
      const needed = length + chunk.value.byteLength;
      if (needed > limit) throw payloadTooLarge(limit);
      if (needed > buffer.byteLength) buffer = grown(buffer, length, needed, needed <= expected ? expected : limit);
      buffer.set(chunk.value, length);
      length = needed;
      guard?.feed(buffer, length);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  guard?.feed(buffer, length, true);
  return length === buffer.byteLength ? buffer : buffer.subarray(0, length);
}

/** A larger buffer holding the first `length` bytes of `buffer`: at least `needed`, at most `cap`. */
function grown(buffer: Uint8Array, length: number, needed: number, cap: number): Uint8Array {
  const next = new Uint8Array(Math.min(cap, Math.max(needed, buffer.byteLength * GROWTH)));
  next.set(buffer.subarray(0, length));
  return next;
}
