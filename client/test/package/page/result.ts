/** One step's outcome, shown on the page and read by the test from `globalThis.vssResults` once all have run. */
export interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** Where the page leaves its results for the test. */
export type ResultsHolder = { vssResults?: StepResult[] };
