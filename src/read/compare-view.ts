/**
 * The compare view: several runs of one experiment against a baseline, with their case
 * changes, run diffs and metric series. What `serve`'s compare page shows and what a
 * `report` file embeds (both build it here; serve checks names and paths first).
 */
import { compareCases, readCases, type CasesReport } from "./cases";
import { compareReports, type Comparison } from "./compare";
import { diffRuns, type RunDiff } from "./rundiff";
import { readMetricSeries, type MetricSeries } from "./series";
import { readRunReport } from "./summary";

/** Everything the compare view shows; also what a report file embeds. */
export interface CompareView {
  experiment: string;
  comparison: Comparison;
  cases: CasesReport;
  /** The baseline against each other run. */
  diffs: RunDiff[];
  /** Each run's metric series, for charts over steps. */
  series: { run_id: string; series: MetricSeries[] }[];
}

/** Read warnings (a torn last line) are expected while runs are being written: not logged. */
const quiet = { onSkipped: () => {} };

/**
 * The compare view of `runs` (folders already resolved and checked), against `baseline`
 * (one of them; default the first).
 *
 * @example
 * readCompareView("qa", [{ run_id: "v1", dir: a }, { run_id: "v2", dir: b }], "v1").comparison.baseline; // "v1"
 */
export function readCompareView(experiment: string, runs: readonly { run_id: string; dir: string }[], baseline?: string): CompareView {
  const dirs = runs.map((r) => r.dir);
  const reports = dirs.map((d) => readRunReport(d, quiet));
  const comparison = compareReports(reports, { baseline: baseline || undefined });
  const baseIndex = runs.findIndex((r) => r.run_id === comparison.baseline);
  const withCases = runs.map((r) => ({ run_id: r.run_id, cases: readCases(r.dir, quiet) }));
  const cases = compareCases(withCases[baseIndex]!, withCases.filter((_, i) => i !== baseIndex));
  const diffs = dirs.filter((_, i) => i !== baseIndex).map((d) => diffRuns(dirs[baseIndex]!, d));
  const series = runs.map((r) => ({ run_id: r.run_id, series: readMetricSeries(r.dir, { ...quiet, maxPoints: 500 }) }));
  return { experiment, comparison, cases, diffs, series };
}
