import { VssError } from "../errors";
import { ErrorCode } from "../gen/vss_pb";

const MiB = 1024 * 1024;

/**
 * The bytes of request bodies and large values that one isolate holds for its requests at once. A Worker isolate
 * has 128 MB; requests share it. One request at the largest body limit (48 MiB) fits, with room for the small
 * requests of other wallets; a request that would take more waits until earlier ones finish.
 */
export const ISOLATE_BUDGET_BYTES = 64 * MiB;

/** How long a request waits for room before it is answered 503 with Retry-After (retried by ldk-node). */
export const BUDGET_WAIT_MS = 20_000;
/**
 * A lease held this long belongs to a request the runtime abandoned without finishing it: its bytes are taken
 * back, so that a lost release can never shrink the budget for the rest of the isolate's life.
 */
export const LEASE_MAX_AGE_MS = 10 * 60 * 1000;
const RETRY_AFTER_SECONDS = 5;

/** A counted pool of bytes: what is taken must be given back; takers that do not fit wait, oldest first. */
export class ByteBudget {
  #free: number;
  readonly #waiting: { bytes: number; resume: () => void }[] = [];
  readonly #holders = new Set<MemoryLease>();

  constructor(readonly capacity: number) {
    this.#free = capacity;
  }

  get free(): number {
    return this.#free;
  }

  /** Takes `bytes` for `holder`, waiting up to `waitMs` for them; a 503 (retryable) when they do not come in time. */
  async take(bytes: number, holder: MemoryLease, waitMs = BUDGET_WAIT_MS): Promise<void> {
    if (bytes > this.capacity) throw new Error(`${bytes} bytes can never fit a budget of ${this.capacity}`);
    this.#reclaimAbandoned();
    if (bytes <= this.#free) {
      this.#free -= bytes;
      this.#holders.add(holder);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = { bytes, resume: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(busy());
      }, waitMs);
      this.#waiting.push(waiter);
    });
    this.#holders.add(holder);
  }

  /** Gives back what `holder` took. */
  release(holder: MemoryLease, bytes: number): void {
    this.#holders.delete(holder);
    this.#give(bytes);
  }

  /** Gives back part of what a holder took; it keeps holding the rest. */
  giveBack(bytes: number): void {
    this.#give(bytes);
  }

  #reclaimAbandoned(): void {
    const cutoff = Date.now() - LEASE_MAX_AGE_MS;
    for (const holder of this.#holders) if (holder.since < cutoff) holder.release();
  }

  /** Gives `bytes` back and lets waiters that now fit go on, in the order they came. */
  #give(bytes: number): void {
    this.#free = Math.min(this.capacity, this.#free + bytes);
    for (let i = 0; i < this.#waiting.length; ) {
      const waiter = this.#waiting[i];
      if (waiter && waiter.bytes <= this.#free) {
        this.#free -= waiter.bytes;
        this.#waiting.splice(i, 1);
        waiter.resume();
      } else {
        i++;
      }
    }
  }
}

function busy(): VssError {
  return new VssError(503, ErrorCode.INTERNAL_SERVER_EXCEPTION, "server busy with large requests, retry later", { "retry-after": String(RETRY_AFTER_SECONDS) });
}

/** This isolate's budget. */
export const isolateBudget = new ByteBudget(ISOLATE_BUDGET_BYTES);

/** The bytes one request holds from a budget; released once, when its response has been sent. */
export class MemoryLease {
  #held = 0;

  constructor(
    readonly budget: ByteBudget = isolateBudget,
    /** When the request began (ms). */
    readonly since = Date.now(),
  ) {}

  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` more for this request (waiting for room). */
  async grow(bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await this.budget.take(bytes, this);
    this.#held += bytes;
  }

  /** Gives back `bytes` of what this request holds (it turned out to need less). */
  shrink(bytes: number): void {
    const given = Math.min(Math.max(0, bytes), this.#held);
    if (given === 0) return;
    this.#held -= given;
    this.budget.giveBack(given);
  }

  release(): void {
    const held = this.#held;
    this.#held = 0;
    this.budget.release(this, held);
  }

  /**
   * Releases the lease once `response` has been sent: at once for a small or bodiless answer, otherwise when its
   * body stream ends, fails or is cancelled by the client.
   */
  releaseWhenSent(response: Response): Response {
    if (!response.body || this.#held <= MiB) {
      this.release();
      return response;
    }
    const reader = response.body.getReader();
    const release = () => this.release();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    return new Response(body, response);
  }
}
