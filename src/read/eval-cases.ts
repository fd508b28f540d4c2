/**
 * A run's evaluation table: one row per `case_result` (case and trial) with its scores,
 * error and output as text, for the viewer's run page. A resumed run may hold a case and
 * trial twice; the last record wins unless it failed where an earlier one succeeded.
 */
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { EventType } from "../core/records";
import { runFiles } from "../core/layout";

export interface EvalCaseRow {
  case_id: string;
  trial: number;
  input: string;
  output: string;
  expected: string | null;
  scores: Record<string, number>;
  reasons: Record<string, string>;
  error: string | null;
  duration_ms: number | null;
  /** No error and every score at 1 (a pass/fail scorer's pass). */
  passed: boolean;
}

export interface EvalTable {
  /** Scorer names in the order first seen. */
  scorers: string[];
  cases: EvalCaseRow[];
  /** Rows not passing (an error, or a score below 1). */
  failing: number;
}

const MAX_TEXT = 2000;
const asText = (v: unknown): string => {
  const s = typeof v === "string" ? v : v === undefined ? "" : (JSON.stringify(v, null, 2) ?? String(v));
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
};

/**
 * The eval table of a run folder (empty when the run has no `case_result`).
 *
 * @example
 * readEvalTable(run.dir).cases[0]; // { case_id: "q0", trial: 0, scores: { exact: 1 }, passed: true, … }
 */
export function readEvalTable(dir: string, opts: ReadOptions = {}): EvalTable {
  const rows = new Map<string, EvalCaseRow>();
  const scorers = new Set<string>();
  readJsonl(
    runFiles(dir).events,
    (r) => {
      if (r.event_type !== EventType.CASE_RESULT || typeof r.case_id !== "string") return;
      const trial = typeof r.trial === "number" ? r.trial : 0;
      const key = `${r.case_id}#${trial}`;
      const scores: Record<string, number> = {};
      for (const [k, v] of Object.entries((r.scores ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "number") continue;
        scores[k] = v;
        scorers.add(k);
      }
      const e = r.error as { message?: unknown } | string | undefined | null;
      const error = e === undefined || e === null ? null : typeof e === "string" ? e : String(e.message ?? JSON.stringify(e));
      const prev = rows.get(key);
      if (prev && prev.error === null && error !== null) return;
      const reasons = Object.fromEntries(Object.entries((r.reasons ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      rows.set(key, {
        case_id: r.case_id,
        trial,
        input: asText(r.input),
        output: asText(r.output),
        expected: r.expected === undefined ? null : asText(r.expected),
        scores,
        reasons,
        error,
        duration_ms: typeof r.duration_ms === "number" ? r.duration_ms : null,
        passed: error === null && Object.values(scores).every((s) => s >= 1),
      });
    },
    opts,
  );
  const cases = [...rows.values()];
  return { scorers: [...scorers], cases, failing: cases.filter((c) => !c.passed).length };
}
