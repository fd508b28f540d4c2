/**
 * The `results` of a streamed evaluation, read back from `run.jsonl` when first asked for:
 * an evaluation over a dataset file keeps no result in memory (its memory must not grow with
 * the file), and a caller that never looks at `results` never pays for them.
 */
import { lines } from "./source";
import type { IdSet } from "./idset";
import type { CaseResultFields } from "../core/records";

/**
 * The `case_result` records of one evaluation: those written at or after byte `start` and
 * before `end`, after the successful ones of its cases and trials (below `trials`; 0: none)
 * already in the run before it (what a resumed evaluation skipped), keeping only the
 * dataset's case ids and the evaluation's own `eval_index` (a run's other evaluations may
 * interleave their lines).
 *
 * @example
 * readBackResults(run.logFile, 1024, 90210, scan.ids, 1, 0); // [{ case_id: "q0", … }, …]
 */
export function readBackResults(file: string, start: number, end: number, ids: IdSet, trials: number, evalIndex = 0): CaseResultFields[] {
  const before = new Map<string, CaseResultFields>();
  const mine: CaseResultFields[] = [];
  for (const [line, , offset] of lines(file, undefined, end)) {
    if (!line.includes('"case_result"') || (trials === 0 && offset < start)) continue;
    let r: CaseResultFields & { event_type?: unknown };
    try {
      r = JSON.parse(line);
    } catch {
      continue; // a torn line: readJsonl warns about it elsewhere
    }
    if (r?.event_type !== "case_result" || !ids.has(r.case_id) || (r.eval_index ?? 0) !== evalIndex) continue;
    // As evaluate() returns them in memory: without the line's own fields.
    const rec = r as unknown as Record<string, unknown>;
    delete rec.timestamp;
    delete rec.run_id;
    delete rec.event_type;
    if (offset >= start) mine.push(r);
    else if (!r.error && r.trial < trials) before.set(`${r.case_id}#${r.trial}`, r);
  }
  return [...before.values(), ...mine];
}
