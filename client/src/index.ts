// The TypeScript VSS client (`@edge-vss/client`): wire client, retries, header providers, and the encryption and
// key obfuscation of the reference client. The ldk-node layer is `@edge-vss/client/ldk` (ldk/index.ts); the CLI is
// the `vss` bin. Nothing here imports a Node module: this is what a web bundle pulls in.
export { VssClient, DEFAULT_TIMEOUT_MS, type VssClientOptions, type CallOptions } from "./client/vss-client.js";
export { listPages, listAllKeyVersions, type ListAllOptions } from "./client/list-all.js";
export { PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, type CallHeaders, type Extensions } from "./client/transport.js";
export {
  VssError,
  NoSuchKeyError,
  InvalidRequestError,
  ConflictError,
  AuthError,
  InternalError,
  VersionMismatchError,
  LeaseLostError,
  isFenced,
  type VssErrorKind,
} from "./errors.js";
export {
  NO_RETRY,
  LDK_NODE_RETRY,
  exponentialBackoff,
  withMaxAttempts,
  withMaxTotalDelay,
  withMaxJitter,
  skipRetryOn,
  isPermanent,
  ldkNodeRetryPolicy,
  type RetryPolicy,
  type RetryContext,
} from "./retry/policy.js";
export { runWithRetry, abortableSleep, type RetryOptions } from "./retry/run.js";
export type { HeaderProvider, FetchFunction } from "./headers/types.js";
export { fixedHeaders, customHeaders } from "./headers/fixed.js";
export { sigsAuth, sigsAuthorization, sigsDigest, SIGS_SALT, type SigsAuthOptions } from "./headers/sigs.js";
export { lnurlAuthJwt, JWT_EXPIRY_BUFFER_SECONDS, type LnurlAuthOptions } from "./headers/lnurl-auth.js";
export { signLnurl, linkingKeyPath, linkingKey, hostAsWritten, InvalidLnurlError } from "./headers/lnurl-sign.js";
export { parseJwt, InvalidJwtError, type JwtToken } from "./headers/jwt.js";
export { StorableBuilder, StorableError, CIPHER_FORMAT, type Deconstructed } from "./crypto/storable-builder.js";
export { KeyObfuscator, DeobfuscationError } from "./crypto/key-obfuscator.js";
export * from "./gen/vss_pb.js";
// The multi-device extension (MULTIDEVICE.md): leases, the change feed, watch, batch reads.
export { LeaseKeeper, LEASE_HEADER, type LeaseKeeperOptions, type LeaseLoss, type LeaseState } from "./multidevice/lease-keeper.js";
export { watch, watchUrl, type WatchEvent, type WatchOptions, type WatchStatus } from "./multidevice/watch.js";
export { syncStore, resolveEvent, type SyncOptions, type SyncUpdate } from "./multidevice/sync.js";
export { changesSince, type ChangesPage, type ChangesSinceOptions } from "./multidevice/changes-since.js";
export { getAllObjects, GET_OBJECTS_MAX_KEYS, type AllObjects } from "./multidevice/get-all-objects.js";
export type { WebSocketLike, WebSocketConstructor } from "./multidevice/connection.js";
export { SYSTEM_CLOCK, type Clock } from "./multidevice/clock.js";
export * from "./gen/multidevice_pb.js";
// The history extension (HISTORY.md): the verifying mode, checkpoints, the chain recomputed, audits, restores.
export { verifying, HistoryVerifier, type VerifyOptions, type VerifierFactory, type VerifierContext, type ObservedAnswer, type RawHistory } from "./history/verifier.js";
export { RollbackError, ForkError, ReplayedValueError, UnverifiableGapError, IncarnationChangedError, ValueAuditError, type HistoryGap } from "./history/errors.js";
export { MemoryCheckpointStore, StorageCheckpointStore, checkpointKey, type Checkpoint, type CheckpointStore, type KeyValueStorage } from "./history/checkpoints.js";
export { verifyHistory, auditStore, historyFetcher, type VerifyHistoryOptions, type HistoryReport, type StoreAudit } from "./history/verify-history.js";
export { auditValue, type AuditOutcome } from "./history/audit.js";
export { ChainState, DEFAULT_REPLAY_MEMORY, type VerifiedRevision, type Replay, type Expectation } from "./history/chain.js";
export { genesisDigest, revisionDigest, baseDigest, valueSha256, compareKeyBytes, ZERO_DIGEST, type HistoryChange } from "./history/digest.js";
export { readHead, ZERO_HEAD, REVISION_HEADER, DIGEST_HEADER, type StoreHead } from "./history/head.js";
export { historyRecords, type HistoryPageFetcher, type HistoryRecordsOptions } from "./history/pages.js";
export { publishHead, compareHeads, PUBLISHED_HEAD_KEY, type HeadSealer, type PublishedHead, type PublishHeadOptions, type CompareHeadsOptions, type HeadComparison } from "./history/compare.js";
export { planRestore, applyRestore, RESTORE_WARNING, type RestorePlan } from "./history/restore.js";
export type { GapPolicy } from "./history/walk.js";
export * from "./gen/history_pb.js";
