/**
 * Reads exact byte counts from a stream that arrives in chunks of any size. Every read returns a fresh array of
 * exactly the bytes asked for, so that nothing sent on over RPC drags a larger buffer along.
 */
export class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Whether the stream has ended with no byte left. */
  async atEnd(): Promise<boolean> {
    await this.#fill(1);
    return this.#pendingBytes === 0;
  }

  /** Exactly `count` bytes; throws when the stream ends first. */
  async read(count: number): Promise<Uint8Array> {
    await this.#fill(count);
    if (this.#pendingBytes < count) throw new TruncatedStream(`the body ended ${count - this.#pendingBytes} bytes early`);
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.#pending[0];
      if (!head) break;
      const take = Math.min(head.byteLength, count - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.byteLength) this.#pending.shift();
      else this.#pending[0] = head.subarray(take);
    }
    this.#pendingBytes -= count;
    return out;
  }

  async #fill(count: number): Promise<void> {
    while (this.#pendingBytes < count && !this.#done) {
      const { value, done } = await this.#reader.read();
      if (done) this.#done = true;
      else if (value.byteLength > 0) {
        this.#pending.push(value);
        this.#pendingBytes += value.byteLength;
      }
    }
  }
}

/** The stream ended inside a frame. */
export class TruncatedStream extends Error {
  override readonly name = "TruncatedStream";
}
