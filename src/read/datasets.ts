/**
 * Which dataset each run evaluated (its first `eval_started`), and how it differs from the
 * baseline's: "same dataset" or "dataset changed (+3 -1 cases)".
 */
import { existsSync } from "node:fs";
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";
import { caseDelta, describeDelta } from "../eval/fingerprint";

/** The dataset a run's evaluation recorded. */
export interface RunDataset {
  name: string;
  hash: string;
  cases: number;
  /** Case id → short hash of its content (absent in runs from before it was recorded). */
  case_hashes?: Record<string, string>;
}

/** One run's dataset against the baseline's. */
export interface DatasetComparison {
  run_id: string;
  dataset: string | null;
  hash: string | null;
  cases: number | null;
  /** "same" (same content hash), "changed", "baseline" (the baseline itself) or "none" (no evaluation). */
  status: "same" | "changed" | "baseline" | "none";
  added?: number;
  removed?: number;
  edited?: number;
  /** "same dataset", "dataset changed (+3 -1 cases)", "other dataset \"b\" (…)", "no evaluation". */
  text: string;
}

/**
 * The first evaluation's dataset of a run folder, if it ran one.
 *
 * @example
 * readRunDataset(run.dir); // { name: "qa", hash: "…", cases: 200, case_hashes: { q0: "…" } }
 */
export function readRunDataset(dir: string, opts: ReadOptions = {}): RunDataset | undefined {
  const file = runFiles(dir).events;
  if (!existsSync(file)) return undefined;
  let found: RunDataset | undefined;
  readJsonl(file, (r) => {
    if (found || r.event_type !== "eval_started") return;
    found = { name: String(r.dataset), hash: String(r.dataset_hash), cases: Number(r.cases) };
    if (r.case_hashes && typeof r.case_hashes === "object") found.case_hashes = r.case_hashes as Record<string, string>;
  }, opts);
  return found;
}

/**
 * Each run's dataset against the baseline's.
 *
 * @example
 * compareDatasets("v1", [{ run_id: "v1", dataset: a }, { run_id: "v2", dataset: b }]);
 * // [{ run_id: "v1", status: "baseline", … }, { run_id: "v2", status: "changed", added: 3, removed: 1, text: "dataset changed (+3 -1 cases)" }]
 */
export function compareDatasets(baseline: string, runs: readonly { run_id: string; dataset: RunDataset | undefined }[]): DatasetComparison[] {
  const base = runs.find((r) => r.run_id === baseline)?.dataset;
  return runs.map(({ run_id, dataset: d }) => {
    const head = { run_id, dataset: d?.name ?? null, hash: d?.hash ?? null, cases: d?.cases ?? null };
    if (!d) return { ...head, status: "none" as const, text: "no evaluation" };
    if (run_id === baseline) return { ...head, status: "baseline" as const, text: `dataset "${d.name}", ${d.cases} cases` };
    if (!base) return { ...head, status: "changed" as const, text: `dataset "${d.name}" (the baseline ran no evaluation)` };
    if (base.hash === d.hash) return { ...head, status: "same" as const, text: "same dataset" };
    const other = base.name !== d.name ? `other dataset "${d.name}"` : "dataset changed";
    if (!base.case_hashes || !d.case_hashes) return { ...head, status: "changed" as const, text: `${other} (${d.cases - base.cases >= 0 ? "+" : ""}${d.cases - base.cases} cases)` };
    const delta = caseDelta(base.case_hashes, d.case_hashes);
    return { ...head, status: "changed" as const, ...delta, text: `${other} (${describeDelta(delta)})` };
  });
}
