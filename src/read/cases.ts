/**
 * Per-case comparison: LLM calls and metrics carrying a case key (`case`, `id`, `case_id`,
 * `caseId`; else, for LLM calls, the input text) are paired across runs, and the cases whose
 * output or score moved are listed as better, worse or changed.
 */
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";
import { errorOf, EventType } from "../core/records";
import { caseKeyOf } from "./records";
import { isLowerBetter, judge } from "./direction";
import { pairedStats, type PairedStat } from "./paired";

/** What one run did for one case. */
export interface CaseResult {
  /** The output of its LLM call (a list when several calls share the case); null when none. */
  output: unknown;
  /** Last value of each metric logged for the case. */
  scores: Record<string, unknown>;
}

export type CaseStatus = "better" | "worse" | "changed" | "added" | "removed";

export interface CaseChange {
  case: string;
  status: CaseStatus;
  baseline: CaseResult | null;
  run: CaseResult | null;
  /** Run minus baseline of each numeric score present in both. */
  score_deltas: Record<string, number>;
}

export interface CaseCounts {
  better: number;
  worse: number;
  changed: number;
  added: number;
  removed: number;
  same: number;
}

/** One run against the baseline. */
export interface CaseComparison {
  run_id: string;
  counts: CaseCounts;
  cases: CaseChange[];
  /** Per scorer, the paired difference on the common cases with its 95% interval and p-value. */
  paired: PairedStat[];
}

export interface CasesReport {
  baseline: string;
  runs: CaseComparison[];
}

interface CaseAcc {
  outputs: unknown[];
  scores: Record<string, unknown>;
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v ?? null));

/**
 * The cases of one run folder, by key, in the order first seen.
 *
 * @example
 * readCases(run.dir).get("q17"); // { output: "Paris", scores: { correct: 1 } }
 */
export function readCases(dir: string, opts: ReadOptions = {}): Map<string, CaseResult> {
  const files = runFiles(dir);
  const acc = new Map<string, CaseAcc>();
  const get = (key: string) => {
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { outputs: [], scores: Object.create(null) }));
    return a;
  };
  // Evaluation results (case_result) are the cases when a run has them: paired by case_id,
  // scores averaged over trials, outputs listed per trial.
  // Per case, one record per trial: a resumed run's later success replaces an earlier error.
  const trials = new Map<string, Map<unknown, Record<string, unknown>>>();
  readJsonl(files.events, (r) => {
    if (r.event_type === EventType.CASE_RESULT && typeof r.case_id === "string") {
      if (r.eval_index) return; // a run's later evaluate() calls: the first is the run's cases
      let t = trials.get(r.case_id);
      if (!t) trials.set(r.case_id, (t = new Map()));
      const had = t.get(r.trial);
      if (!had || had.error || !r.error) t.set(r.trial, r);
      return;
    }
    if (r.event_type !== EventType.LLM_CALL) return;
    const key = caseKeyOf(r) ?? (r.input === undefined ? null : text(r.input));
    if (key !== null) get(key).outputs.push(r.output ?? null);
  }, opts);
  readJsonl(files.metrics, (r) => {
    if (typeof r.name !== "string") return;
    const key = caseKeyOf(r) ?? (r.input === undefined ? null : text(r.input));
    if (key !== null) get(key).scores[r.name] = r.value;
  }, opts);
  const evals = new Map<string, { outputs: unknown[]; sums: Record<string, number>; counts: Record<string, number> }>();
  for (const [id, t] of trials) {
    const e = { outputs: [] as unknown[], sums: Object.create(null) as Record<string, number>, counts: Object.create(null) as Record<string, number> };
    evals.set(id, e);
    for (const r of t.values()) {
      const error = errorOf(r);
      e.outputs.push(error ? { error: error.message || "error" } : (r.output ?? null));
      for (const [k, v] of Object.entries((r.scores ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "number") continue;
        e.sums[k] = (e.sums[k] ?? 0) + v;
        e.counts[k] = (e.counts[k] ?? 0) + 1;
      }
    }
  }
  const out = new Map<string, CaseResult>();
  if (evals.size > 0) {
    for (const [key, e] of evals) {
      const scores: Record<string, unknown> = {};
      for (const k of Object.keys(e.sums)) scores[k] = Number((e.sums[k]! / e.counts[k]!).toPrecision(12));
      out.set(key, { output: e.outputs.length === 1 ? e.outputs[0] : e.outputs, scores });
    }
    return out;
  }
  for (const [key, a] of acc) {
    out.set(key, { output: a.outputs.length === 0 ? null : a.outputs.length === 1 ? a.outputs[0] : a.outputs, scores: { ...a.scores } });
  }
  return out;
}

const scoreLists = (cases: Map<string, CaseResult>) => {
  const out = new Map<string, Record<string, unknown[]>>();
  for (const [key, c] of cases) {
    const s: Record<string, unknown[]> = {};
    for (const [name, v] of Object.entries(c.scores)) s[name] = Array.isArray(v) ? v : [v];
    out.set(key, s);
  }
  return out;
};

const ORDER: Record<CaseStatus, number> = { worse: 0, better: 1, changed: 2, added: 3, removed: 4 };

/**
 * Pairs each run's cases with the baseline's and lists what moved.
 *
 * @example
 * compareCases({ run_id: "v1", cases: readCases(a) }, [{ run_id: "v2", cases: readCases(b) }]);
 * // { baseline: "v1", runs: [{ run_id: "v2", counts: { better: 2, worse: 1, … }, cases: […] }] }
 */
export function compareCases(
  baseline: { run_id: string; cases: Map<string, CaseResult> },
  runs: readonly { run_id: string; cases: Map<string, CaseResult> }[],
  opts: { lowerIsBetter?: readonly string[] } = {},
): CasesReport {
  return {
    baseline: baseline.run_id,
    runs: runs.map((run) => {
      const counts: CaseCounts = { better: 0, worse: 0, changed: 0, added: 0, removed: 0, same: 0 };
      const cases: CaseChange[] = [];
      const keys = new Set([...baseline.cases.keys(), ...run.cases.keys()]);
      for (const key of keys) {
        const change = compareCase(key, baseline.cases.get(key) ?? null, run.cases.get(key) ?? null, opts.lowerIsBetter ?? []);
        if (change === null) counts.same++;
        else {
          counts[change.status]++;
          cases.push(change);
        }
      }
      cases.sort((a, b) => ORDER[a.status] - ORDER[b.status]);
      return { run_id: run.run_id, counts, cases, paired: pairedStats(scoreLists(baseline.cases), scoreLists(run.cases)) };
    }),
  };
}

function compareCase(key: string, base: CaseResult | null, run: CaseResult | null, lower: readonly string[]): CaseChange | null {
  if (!base || !run) return { case: key, status: base ? "removed" : "added", baseline: base, run, score_deltas: {} };
  let better = 0;
  let worse = 0;
  let other = JSON.stringify(base.output) !== JSON.stringify(run.output);
  const deltas: Record<string, number> = {};
  for (const name of new Set([...Object.keys(base.scores), ...Object.keys(run.scores)])) {
    const b = base.scores[name];
    const v = run.scores[name];
    if (typeof b === "number" && typeof v === "number") {
      const verdict = judge(b, v, isLowerBetter(name, undefined, lower));
      if (verdict === "same") continue;
      deltas[name] = Number((v - b).toPrecision(12));
      if (verdict === "better") better++;
      else worse++;
    } else if (JSON.stringify(b) !== JSON.stringify(v)) other = true;
  }
  if (better === 0 && worse === 0 && !other) return null;
  const status: CaseStatus = better > 0 && worse === 0 ? "better" : worse > 0 && better === 0 ? "worse" : "changed";
  return { case: key, status, baseline: base, run, score_deltas: deltas };
}
