/**
 * Plain-text rendering of runs and experiments for the terminal (list-runs,
 * list-experiments, run's summary). Pure: strings in, strings out; the commands print.
 * Units come from src/units.ts, table pieces from tables.ts.
 */
import type { RunSummary } from "../core/experiment";
import { formatDuration, formatTime, formatValue } from "../units";
import { clipMiddle } from "./tables";

/**
 * `name=value` pairs that fit in `width` characters, in the order given; when some do not
 * fit, the line ends saying how many were left out ("+3 more", or "+3" when that is all
 * that fits).
 */
export function fitMetrics(metrics: Record<string, unknown>, width: number): string {
  const pairs = Object.entries(metrics).map(([k, v]) => `${k}=${formatValue(v)}`);
  let line = "";
  let shown = 0;
  for (const pair of pairs) {
    const next = line ? `${line}  ${pair}` : pair;
    const left = pairs.length - shown - 1;
    if (next.length + (left > 0 ? `  +${left}`.length : 0) > width) break;
    line = next;
    shown++;
  }
  const left = pairs.length - shown;
  if (left === 0) return line;
  if (!line) return `+${left} more`;
  return `${line}  +${left} more`.length <= width ? `${line}  +${left} more` : `${line}  +${left}`;
}

const RUN_HEADERS = ["RUN", "TYPE", "STATUS", "STARTED", "DURATION"] as const;

/**
 * One header line and one line per run: id, type, status (with `crashed`), start time,
 * duration, then the metrics that fit in `width` columns.
 *
 * @example
 * formatRunsTable(exp.listRuns(), terminalWidth(process.stdout)).join("\n");
 */
export function formatRunsTable(runs: readonly RunSummary[], width = 80): string[] {
  // Within the current year the year is left out, leaving room for metrics.
  const year = new Date().getFullYear();
  const short = runs.every((r) => !r.started_at || new Date(r.started_at).getFullYear() === year);
  const rows = runs.map((r) => [r.run_id, r.run_type, r.status, formatTime(r.started_at, short), formatDuration(r.duration_seconds)]);
  const widths = RUN_HEADERS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // A long run id must not push the metrics off the line: it is shortened in the middle
  // (its end kept: ids often differ there), leaving the metrics 30 columns; --json has it whole.
  const others = widths.slice(1).reduce((a, b) => a + b, 0) + 2 * widths.length;
  const idMax = Math.max(RUN_HEADERS[0]!.length, 16, width - others - 30);
  if (widths[0]! > idMax) {
    widths[0] = idMax;
    for (const row of rows) row[0] = clipMiddle(row[0]!, idMax);
  }
  const pad = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  const fixed = widths.reduce((a, b) => a + b, 0) + 2 * widths.length;
  const room = Math.max(width - fixed, 8);
  return [
    `${pad(RUN_HEADERS)}  METRICS`.trimEnd(),
    ...rows.map((row, i) => `${pad(row)}  ${fitMetrics(runs[i]!.metrics ?? {}, room)}`.trimEnd()),
  ];
}

/** One line per experiment: its name and run count, aligned. */
export function formatExperiments(experiments: readonly { name: string; runs: number }[]): string[] {
  const w = Math.max(0, ...experiments.map((e) => e.name.length));
  return experiments.map((e) => `${e.name.padEnd(w)}  ${e.runs} run${e.runs === 1 ? "" : "s"}`);
}

/** What `scryptorum run` prints when a run ends: id and type, status and duration, folder, metrics. */
export function formatRunSummary(run: RunSummary & { dir: string }): string[] {
  const metrics = Object.entries(run.metrics ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`);
  return [
    `run:     ${run.run_id} (${run.run_type})`,
    `status:  ${run.status} in ${formatDuration(run.duration_seconds)}`,
    `folder:  ${run.dir}`,
    `metrics: ${metrics.length ? metrics.join("  ") : "(none)"}`,
  ];
}
