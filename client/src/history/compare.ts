import type { CallOptions, VssClient } from "../client/vss-client.js";
import { InternalError, NoSuchKeyError } from "../errors.js";
import { ForkError, RollbackError } from "./errors.js";
import { CANONICAL_REVISION, DIGEST_HEX, INCARNATION_HEX, type StoreHead } from "./head.js";
import type { HistoryVerifier } from "./verifier.js";
import { liesOnChain } from "./walk.js";

// HISTORY.md §6, "Devices compare": a server that shows each device its own branch is caught only when the devices
// compare heads. The device holding the lease writes the head it verified into the store, under an ordinary key,
// sealed like any value; every other device opens it and checks it against the chain it verified itself.

/** The key a published head is written under by default (an ordinary key: pick another if the app uses this one). */
export const PUBLISHED_HEAD_KEY = "vss-history/published-head";
const FORMAT = "vss-published-head-v1";

/** Seals and opens the published head as the app seals its values; {@link StorableBuilder} is one. */
export interface HeadSealer {
  seal(value: Uint8Array, version: bigint | number, aad?: Uint8Array): Uint8Array;
  open(bytes: Uint8Array, aad?: Uint8Array): { value: Uint8Array };
}

/** What a device published: the head it had verified, the store's incarnation, and when. */
export interface PublishedHead extends StoreHead {
  /** 32 hex digits; empty for a store never written. */
  incarnation: string;
  publishedAtMs: number;
  /** Whatever the publishing device called itself. */
  device?: string;
}

export interface PublishHeadOptions extends Pick<CallOptions, "signal" | "headers"> {
  sealer: HeadSealer;
  /** Default {@link PUBLISHED_HEAD_KEY}. */
  key?: string;
  device?: string;
  now?: () => number;
}

export type CompareHeadsOptions = Pick<PublishHeadOptions, "sealer" | "key" | "signal" | "headers">;

/** What a comparison found; a disagreement is thrown (ForkError, RollbackError), never returned. */
export type HeadComparison =
  | { status: "unpublished"; head: StoreHead }
  | { status: "agrees"; published: PublishedHead; head: StoreHead };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function verifierOf(client: VssClient): HistoryVerifier {
  if (!client.verifier) throw new TypeError("comparing heads needs a verifying client (VssClientOptions.verify)");
  return client.verifier;
}

/** Reads the key through the verifying client (its head proven, the checkpoint raised); undefined when absent. */
async function readVerified(client: VssClient, storeId: string, key: string, options: Pick<CallOptions, "signal" | "headers">): Promise<Uint8Array | undefined> {
  try {
    return (await client.getObject({ storeId, key }, options)).value;
  } catch (error) {
    if (error instanceof NoSuchKeyError) return undefined;
    throw error;
  }
}

/**
 * The lease holder's side: brings its checkpoint up to the store's current head (a verified read), then writes that
 * proven head, sealed, under `key` (an upsert, with the call's headers: pass `{ "vss-lease": token }`). Returns what
 * it published. The write itself makes the next revision, so a published head is always older than the store's.
 */
export async function publishHead(client: VssClient, storeId: string, options: PublishHeadOptions): Promise<PublishedHead> {
  const verifier = verifierOf(client);
  const key = options.key ?? PUBLISHED_HEAD_KEY;
  await readVerified(client, storeId, key, options);
  const chain = verifier.chain(storeId);
  if (!chain) throw new InternalError(`store ${JSON.stringify(storeId)}: no verified head after a verified read`);
  const published: PublishedHead = { ...chain.head, incarnation: chain.incarnation ?? "", publishedAtMs: (options.now ?? Date.now)() };
  if (options.device !== undefined) published.device = options.device;
  const plain = encoder.encode(JSON.stringify({ format: FORMAT, ...published, revision: published.revision.toString() }));
  const value = options.sealer.seal(plain, 0, encoder.encode(key));
  await client.putObjects({ storeId, transactionItems: [{ key, version: -1n, value }] }, options);
  return published;
}

function parsePublished(storeId: string, plain: Uint8Array): PublishedHead {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(decoder.decode(plain)) as Record<string, unknown>;
  } catch (cause) {
    throw new InternalError(`store ${JSON.stringify(storeId)}: the published head is not JSON`, undefined, { cause });
  }
  const { format, revision, digest, incarnation, publishedAtMs, device } = fields;
  const wellFormed =
    format === FORMAT &&
    typeof revision === "string" &&
    CANONICAL_REVISION.test(revision) &&
    typeof digest === "string" &&
    DIGEST_HEX.test(digest) &&
    typeof incarnation === "string" &&
    INCARNATION_HEX.test(incarnation) &&
    typeof publishedAtMs === "number" &&
    (device === undefined || typeof device === "string");
  if (!wellFormed) throw new InternalError(`store ${JSON.stringify(storeId)}: the published head is not a ${FORMAT} record`);
  const published: PublishedHead = { revision: BigInt(revision), digest, incarnation, publishedAtMs };
  if (device !== undefined) published.device = device;
  return published;
}

/**
 * Another device's side: reads the published head through the verifying client (which proves the store's current
 * head first), opens it, and checks it lies on the chain this device verified — remembered, or recomputed with
 * getHistory from the published digest up to this device's head. Throws ForkError when it does not (the server showed
 * the two devices different histories), RollbackError when it is newer than what the server shows this device, and
 * UnverifiableGapError when the span between is pruned at the server. The sealer's own error when it cannot open it.
 */
export async function compareHeads(client: VssClient, storeId: string, options: CompareHeadsOptions): Promise<HeadComparison> {
  const verifier = verifierOf(client);
  const key = options.key ?? PUBLISHED_HEAD_KEY;
  const sealed = await readVerified(client, storeId, key, options);
  const chain = verifier.chain(storeId);
  if (!chain) throw new InternalError(`store ${JSON.stringify(storeId)}: no verified head after a verified read`);
  if (sealed === undefined) return { status: "unpublished", head: chain.head };
  const published = parsePublished(storeId, options.sealer.open(sealed, encoder.encode(key)).value);
  const by = published.device === undefined ? "the publishing device" : JSON.stringify(published.device);
  if (published.incarnation !== "" && chain.incarnation && published.incarnation !== chain.incarnation) {
    throw new ForkError(storeId, chain.head, published, `${by} verified incarnation ${published.incarnation}, this device ${chain.incarnation}`);
  }
  if (published.revision > chain.revision) throw new RollbackError(storeId, published, chain.head);
  const fetchPage = (after: bigint, resumeKey: string | undefined, pageSize: number | undefined) => verifier.history(storeId, after, resumeKey, pageSize);
  if (!(await liesOnChain(storeId, fetchPage, chain, published))) {
    throw new ForkError(storeId, chain.head, published, `${by} verified revision ${published.revision} with a digest that is not on this device's chain`);
  }
  return { status: "agrees", published, head: chain.head };
}
