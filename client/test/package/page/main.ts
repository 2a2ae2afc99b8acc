import type { ResultsHolder, StepResult } from "./result.js";
import { REFUSED_STEPS, Session, STEPS, type Step } from "./steps.js";

function show(result: StepResult): void {
  const item = document.createElement("li");
  item.className = result.ok ? "ok" : "failed";
  item.append(`${result.name} `);
  const detail = document.createElement("small");
  detail.textContent = `— ${result.detail} (${result.ms} ms)`;
  item.append(detail);
  document.getElementById("steps")?.append(item);
}

/** Runs the steps named by `?suite=` against `?vss=` in order; a failed step does not stop the next ones. */
async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const baseUrl = params.get("vss") ?? "";
  const steps: Step[] = params.get("suite") === "refused" ? REFUSED_STEPS : STEPS;
  const where = document.getElementById("where");
  if (where) where.textContent = `page ${location.origin} → service ${baseUrl}`;
  const session = new Session(baseUrl);
  const results: StepResult[] = [];
  for (const step of steps) {
    const started = performance.now();
    let result: StepResult;
    try {
      result = { name: step.name, ok: true, detail: await step.run(session), ms: 0 };
    } catch (error) {
      result = { name: step.name, ok: false, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: 0 };
    }
    result.ms = Math.round(performance.now() - started);
    results.push(result);
    show(result);
  }
  (globalThis as ResultsHolder).vssResults = results;
}

void main();
