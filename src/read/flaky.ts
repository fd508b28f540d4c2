/**
 * With trials > 1: how much each case's scores vary across its trials, and the flaky cases,
 * those whose trials disagree (a score differs between two trials of one case).
 */
import { existsSync } from "node:fs";
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";

/** A case whose trials disagree. */
export interface FlakyCase {
  case_id: string;
  /** Per scorer that disagrees, its value in each trial (by trial index). */
  scores: Record<string, number[]>;
}

/** Per scorer: the mean over cases of the variance across a case's trials. */
export interface ScorerVariance {
  /** Cases with at least two scored trials. */
  cases: number;
  mean_case_variance: number;
  /** Cases whose trials disagree on this scorer. */
  flaky: number;
}

export interface Flakiness {
  /** Most trials any case has. */
  trials: number;
  /** Cases with at least two trials. */
  cases: number;
  scorers: Record<string, ScorerVariance>;
  /** Cases whose trials disagree on any scorer, most disagreeing first (then by id). */
  flaky: FlakyCase[];
}

interface TrialRecord {
  case_id: string;
  trial: number;
  scores?: Record<string, unknown>;
  error?: unknown;
}

/**
 * Flakiness of case results, keeping one result per case and trial (a success over an
 * error). Undefined when no case has two trials.
 *
 * @example
 * flakiness([{ case_id: "a", trial: 0, scores: { ok: 1 } }, { case_id: "a", trial: 1, scores: { ok: 0 } }]);
 * // { trials: 2, cases: 1, scorers: { ok: { cases: 1, mean_case_variance: 0.5, flaky: 1 } }, flaky: [{ case_id: "a", scores: { ok: [1, 0] } }] }
 */
export function flakiness(records: Iterable<TrialRecord>): Flakiness | undefined {
  const byCase = new Map<string, Map<number, TrialRecord>>();
  for (const r of records) {
    let t = byCase.get(r.case_id);
    if (!t) byCase.set(r.case_id, (t = new Map()));
    const had = t.get(r.trial);
    if (!had || had.error || !r.error) t.set(r.trial, r);
  }
  let trials = 0;
  let cases = 0;
  const scorers: Record<string, { cases: number; sum: number; flaky: number }> = {};
  const flaky: FlakyCase[] = [];
  for (const [id, t] of byCase) {
    trials = Math.max(trials, t.size);
    if (t.size < 2) continue;
    cases++;
    const ordered = [...t.values()].filter((r) => !r.error).sort((a, b) => a.trial - b.trial);
    const names = new Set(ordered.flatMap((r) => Object.keys(r.scores ?? {})));
    const disagree: Record<string, number[]> = {};
    for (const name of [...names].sort()) {
      const values = ordered.map((r) => r.scores?.[name]).map((v) => (typeof v === "boolean" ? Number(v) : v)).filter((v): v is number => typeof v === "number");
      if (values.length < 2) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
      const s = (scorers[name] ??= { cases: 0, sum: 0, flaky: 0 });
      s.cases++;
      s.sum += variance;
      if (values.some((v) => v !== values[0])) {
        s.flaky++;
        disagree[name] = values;
      }
    }
    if (Object.keys(disagree).length) flaky.push({ case_id: id, scores: disagree });
  }
  if (trials < 2) return undefined;
  const spread = (f: FlakyCase) => Math.max(...Object.values(f.scores).map((v) => Math.max(...v) - Math.min(...v)));
  flaky.sort((a, b) => spread(b) - spread(a) || Object.keys(b.scores).length - Object.keys(a.scores).length || a.case_id.localeCompare(b.case_id));
  const out: Record<string, ScorerVariance> = {};
  for (const [name, s] of Object.entries(scorers)) out[name] = { cases: s.cases, mean_case_variance: Number((s.sum / s.cases).toPrecision(12)), flaky: s.flaky };
  return { trials, cases, scorers: out, flaky };
}

/**
 * The flakiness of a run folder's `case_result` records.
 *
 * @example
 * readFlakiness(run.dir)?.flaky.length; // 3
 */
export function readFlakiness(dir: string, opts: ReadOptions = {}): Flakiness | undefined {
  const file = runFiles(dir).events;
  if (!existsSync(file)) return undefined;
  const records: TrialRecord[] = [];
  readJsonl(file, (r) => {
    if (r.event_type === "case_result" && typeof r.case_id === "string" && !r.eval_index) {
      records.push({ case_id: r.case_id, trial: typeof r.trial === "number" ? r.trial : 0, scores: r.scores as Record<string, unknown> | undefined, error: r.error });
    }
  }, opts);
  return flakiness(records);
}
