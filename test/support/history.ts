import type { HistorySettings } from "../../src/store/history/record";

/** The default history settings (README § Configuration), for tests that drive a store over RPC. */
export const TEST_HISTORY: HistorySettings = { valuesMs: 7 * 86_400_000, retentionMs: 7 * 86_400_000, allowanceBytes: 64 * 1024 * 1024 };
