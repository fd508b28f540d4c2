/**
 * Re-scoring a finished evaluation: new or changed scorers run over the outputs a run
 * stored in its `case_result` records, inside the current run, with no task and so no model
 * call of the task's (a judge scorer still asks its model, from the cache when it can).
 * It is `evaluate()` with a task that returns the stored output of each case and trial.
 */
import { readJsonl } from "../core/jsonl";
import { EventType } from "../core/records";
import { runFiles } from "../core/layout";
import { UserError } from "../core/errors";
import { currentCase } from "../core/scope";
import { getCurrentRun } from "../tracking/context";
import { createHash } from "node:crypto";
import type { Dataset, EvalCase } from "./dataset";
import { evaluate, type CaseResultRecord, type EvaluateSummary, type Scorer } from "./evaluate";

/** A run's stored results, last record of each case and trial winning (a resumed run may hold several). */
export function readCaseResults(runDir: string): Map<string, CaseResultRecord> {
  const out = new Map<string, CaseResultRecord>();
  readJsonl(runFiles(runDir).events, (r) => {
    if (r.event_type !== EventType.CASE_RESULT || typeof r.case_id !== "string") return;
    if (r.eval_index) return; // the run's first evaluation (later ones carry eval_index)
    const rec = r as unknown as CaseResultRecord;
    const key = `${rec.case_id}#${Number(rec.trial ?? 0)}`;
    // A successful result is never replaced by a later failed one.
    if (out.get(key) && !out.get(key)!.error && rec.error) return;
    out.set(key, rec);
  });
  return out;
}

class StoredError extends Error {
  constructor(stored: { name?: string; message?: string }) {
    super(stored.message ?? "the task failed");
    this.name = stored.name ?? "Error";
  }
}

/**
 * Scores the stored outputs of the run in `fromDir` with `scores`, logging to the current
 * run. Cases whose task had failed keep their error; each result keeps the prompt versions
 * that produced its output.
 *
 * @example
 * await rescore(oldRun.dir, { exact: exactMatch({ ignoreCase: true }) }, { fromRunId: "v1" });
 */
export async function rescore(
  from: string | Map<string, CaseResultRecord>,
  scores: Record<string, Scorer>,
  opts: { fromRunId?: string; concurrency?: number } = {},
): Promise<{ results: CaseResultRecord[]; summary: EvaluateSummary }> {
  const stored = typeof from === "string" ? readCaseResults(from) : from;
  const fromRun = opts.fromRunId ?? (typeof from === "string" ? from : "run");
  if (stored.size === 0) throw new UserError(`run ${fromRun} has no case_result records: rescore works on a run made by evaluate()`);
  const rows = new Map<string, { id: string; input: unknown; expected?: unknown }>();
  let trials = 1;
  for (const r of stored.values()) {
    if (!rows.has(r.case_id)) rows.set(r.case_id, r.expected === undefined ? { id: r.case_id, input: r.input } : { id: r.case_id, input: r.input, expected: r.expected });
    trials = Math.max(trials, Number(r.trial ?? 0) + 1);
  }
  const cases = [...rows.values()] as EvalCase[];
  const data = Object.defineProperties(cases, {
    name: { value: `rescore:${fromRun}` },
    hash: { value: createHash("sha256").update(JSON.stringify(cases)).digest("hex") },
  }) as Dataset;
  getCurrentRun()?.logEvent("rescore_started", { from_run: fromRun, cases: rows.size, trials, results: stored.size, scorers: Object.keys(scores) });
  return evaluate({
    data,
    trials,
    scores,
    concurrency: opts.concurrency ?? 16,
    resume: false,
    task: (_input, c) => {
      const scope = currentCase();
      const rec = stored.get(`${c.id}#${scope?.trial ?? 0}`);
      if (!rec) throw new StoredError({ name: "MissingResult", message: `run ${fromRun} has no result for case ${c.id}, trial ${scope?.trial ?? 0}` });
      if (scope && rec.prompts) scope.prompts = { ...rec.prompts };
      if (rec.error) throw new StoredError(rec.error);
      return rec.output;
    },
  });
}
