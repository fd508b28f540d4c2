/** A hand-made RunReport for pure unit tests of check/compare/export (no files). */
import type { RunReport } from "../../../src/read/summary";

export function fakeReport(runId: string, metrics: Record<string, unknown>, over: Partial<RunReport> = {}): RunReport {
  const llm = {
    calls: 0, errors: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cached_tokens: 0, cost_usd: null,
    duration: { count: 0, total_ms: 0, mean_ms: 0, p50_ms: 0, p95_ms: 0, max_ms: 0 }, models: [], slowest: [],
  };
  return {
    run_id: runId, run_type: "milestone", experiment: "qa", project: "demo", status: "finished",
    started_at: "2026-01-01T00:00:00.000Z", finished_at: "2026-01-01T00:01:00.000Z", duration_seconds: 60,
    tags: [], note: null, config: {}, error: null, git: null,
    metrics: Object.entries(metrics).map(([name, last]) => ({
      name, type: name === "loss" ? "loss" : "custom", last, count: 1,
      min: typeof last === "number" ? last : null, max: typeof last === "number" ? last : null, mean: typeof last === "number" ? last : null, last_step: null,
    })),
    timings: [], llm, events: {},
    figures: { duration_seconds: 60, llm_calls: 0, llm_errors: 0, input_tokens: 0, output_tokens: 0, tokens: 0, cost_usd: null },
    ...over,
  };
}
