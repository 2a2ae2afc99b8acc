import { payloadTooLarge } from "../errors";

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is refused before
 * reading; a body without one is counted as it streams and refused as soon as it passes the limit.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await request.body?.cancel();
    throw payloadTooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  // A declared length within the limit is what HTTP framing delivers: read it in one piece, without a copy.
  if (declared !== null && /^[0-9]+$/.test(declared)) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw payloadTooLarge(limit);
    }
    parts.push(value);
  }
  if (parts.length === 1 && parts[0]) return parts[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
