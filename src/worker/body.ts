import { invalidRequest, payloadTooLarge } from "../errors";
import type { MemoryLease } from "./memory-budget";

/**
 * Watches a body while it arrives and throws (a VssError) to refuse it early: see codec/bounds.ts. `doomed` says
 * the body can no longer be a valid message within the limit: its bytes are then counted, not kept.
 */
export interface BodyGuard {
  feed(bytes: Uint8Array, length: number, final?: boolean): void;
  readonly doomed?: boolean;
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
 * stops sending midway is a 400, not a server fault. With `lease`, the body's bytes are taken from the isolate's
 * memory budget before any is read: the declared length (the whole limit when none is declared), all at once so
 * that requests waiting for room hold none (no two can wait on each other); only a body that runs past its
 * declared length takes more as it grows. What the body did not need is given back once it is read.
 */
export async function readBody(request: Request, limit: number, guard?: BodyGuard, lease?: MemoryLease): Promise<Uint8Array> {
  const declared = declaredLength(request);
  if (declared !== null && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw payloadTooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  // A declared length is a capacity hint only (chunked framing may come with a false one); never a limit.
  const expected = declared ?? limit;
  const reader = request.body.getReader();
  let reserved = 0;
  let buffer = new Uint8Array(0);
  let length = 0;
  const resize = async (size: number) => {
    if (size > reserved) {
      await lease?.grow(size - reserved);
      reserved = size;
    }
    const next = new Uint8Array(size);
    next.set(buffer.subarray(0, length));
    buffer = next;
  };
  try {
    await lease?.grow(expected);
    reserved = expected;
    await resize(Math.min(expected, INITIAL_BYTES));
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
      if (guard?.doomed) {
        length = needed;
        continue;
      }
      if (needed > buffer.byteLength) await resize(Math.min(needed <= expected ? expected : limit, Math.max(needed, buffer.byteLength * GROWTH)));
      buffer.set(chunk.value, length);
      length = needed;
      guard?.feed(buffer, length);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  if (guard?.doomed) throw invalidRequest("body is not a valid message: its last field is cut short");
  guard?.feed(buffer, length, true);
  lease?.shrink(reserved - buffer.byteLength);
  return length === buffer.byteLength ? buffer : buffer.subarray(0, length);
}
