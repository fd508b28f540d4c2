/**
 * Stable OpenTelemetry ids for a run: exporting the same run twice sends the same trace and
 * span ids, so a backend can de-duplicate; two trials of one experiment (same run id
 * `trial_run`) differ by their start time.
 */
import { createHash } from "node:crypto";

const hex = (text: string, chars: number): string => {
  const h = createHash("sha256").update(text).digest("hex").slice(0, chars);
  // An all-zero id is invalid in OTLP; a sha256 prefix of zeros is astronomically unlikely, but cheap to rule out.
  return /^0+$/.test(h) ? `${h.slice(0, -1)}1` : h;
};

/**
 * The trace id (32 hex digits) of a run: a hash of project, experiment, run id and start.
 *
 * @example
 * traceIdOf({ project: "demo", experiment: "qa", run_id: "v1", started_at: "2026-01-01T12:00:00.000Z" });
 */
export function traceIdOf(run: { project: string; experiment: string; run_id: string; started_at: string }): string {
  return hex(`scryptorum\u0000${run.project}\u0000${run.experiment}\u0000${run.run_id}\u0000${run.started_at}`, 32);
}

/**
 * The span id (16 hex digits) of a record's `span_id` in a trace; `null` names the run's root span.
 *
 * @example
 * spanIdOf(traceId, "3f9c2a10-17"); // "9b1e…" (16 hex digits)
 */
export function spanIdOf(traceId: string, spanId: string | null): string {
  return hex(spanId === null ? `${traceId}\u0000root` : `${traceId}\u0000span\u0000${spanId}`, 16);
}
