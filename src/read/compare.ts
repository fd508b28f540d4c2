/**
 * Runs side by side: metrics (last values), mean timing per operation, and run-level usage,
 * each with its delta from the baseline (run minus baseline).
 */
import { UserError } from "../core/errors";
import { isLowerBetter } from "./direction";
import type { RunReport } from "./summary";

/** One compared figure; `values` and `deltas` are aligned with `Comparison.runs`. */
export interface CompareRow {
  name: string;
  /** The figure in each run; null where the run has none. */
  values: unknown[];
  /** Run minus baseline for numbers; null for the baseline itself and where either is not a number. */
  deltas: (number | null)[];
  lower_is_better: boolean;
  /** False when every run has the same value. */
  changed: boolean;
}

export interface ComparedRun {
  run_id: string;
  run_type: string;
  status: string;
  started_at: string;
  /** A run pulled from a team bucket: the remote and the hosts that wrote it. */
  origin?: { remote: string; hosts: string[] };
}

/** What `compare` prints. */
export interface Comparison {
  experiment: string;
  baseline: string;
  runs: ComparedRun[];
  metrics: CompareRow[];
  /** Mean duration (ms) of each operation. */
  timings: CompareRow[];
  /** duration_seconds, llm_calls, llm_errors, input/output/total tokens, cost_usd, LLM latency. */
  usage: CompareRow[];
}

export interface CompareOptions {
  /** Run id of the baseline; default the first run. */
  baseline?: string;
  lowerIsBetter?: readonly string[];
  /** Keep only rows whose values differ. */
  onlyChanged?: boolean;
}

/**
 * Compares reports of two or more runs.
 *
 * @example
 * const c = compareReports([readRunReport(a), readRunReport(b)]);
 * c.metrics[0]; // { name: "accuracy", values: [0.8, 0.9], deltas: [null, 0.1], lower_is_better: false, changed: true }
 */
export function compareReports(reports: readonly RunReport[], opts: CompareOptions = {}): Comparison {
  if (reports.length === 0) throw new UserError("nothing to compare: give two or more run ids");
  const base = opts.baseline === undefined ? 0 : reports.findIndex((r) => r.run_id === opts.baseline);
  if (base < 0) {
    throw new UserError(`--baseline ${opts.baseline} is not one of the compared runs (${reports.map((r) => r.run_id).join(", ")}): add it to the run ids`);
  }
  const lower = opts.lowerIsBetter ?? [];
  const row = (name: string, values: unknown[], lowerIsBetter: boolean) => makeRow(name, values, base, lowerIsBetter);

  const metricNames = unionInOrder(reports.map((r) => r.metrics.map((m) => m.name)));
  const metrics = metricNames.map((name) => {
    const found = reports.map((r) => r.metrics.find((m) => m.name === name));
    const type = found.find((m) => m !== undefined)?.type;
    return row(name, found.map((m) => (m === undefined ? null : m.last)), isLowerBetter(name, type, lower));
  });
  const ops = unionInOrder(reports.map((r) => r.timings.map((t) => t.operation)));
  const timings = ops.map((op) =>
    row(op, reports.map((r) => r.timings.find((t) => t.operation === op)?.mean_ms ?? null), true),
  );
  const usage = [
    row("duration_seconds", reports.map((r) => r.figures.duration_seconds), true),
    row("llm_calls", reports.map((r) => r.figures.llm_calls), lower.includes("llm_calls")),
    row("llm_errors", reports.map((r) => r.figures.llm_errors), true),
    row("input_tokens", reports.map((r) => r.figures.input_tokens), true),
    row("output_tokens", reports.map((r) => r.figures.output_tokens), true),
    row("tokens", reports.map((r) => r.figures.tokens), true),
    row("cost_usd", reports.map((r) => r.figures.cost_usd), true),
    row("llm_mean_ms", reports.map((r) => (r.llm.calls ? r.llm.duration.mean_ms : null)), true),
    row("llm_p95_ms", reports.map((r) => (r.llm.calls ? r.llm.duration.p95_ms : null)), true),
  ];
  const keep = (rows: CompareRow[]) => (opts.onlyChanged ? rows.filter((r) => r.changed) : rows);
  return {
    experiment: reports[0]!.experiment,
    baseline: reports[base]!.run_id,
    runs: reports.map((r) => ({ run_id: r.run_id, run_type: r.run_type, status: r.status, started_at: r.started_at, ...(r.origin ? { origin: { remote: r.origin.remote, hosts: r.origin.hosts } } : {}) })),
    metrics: keep(metrics),
    timings: keep(timings),
    usage: keep(usage),
  };
}

/**
 * Run minus baseline, rounded to 12 significant digits so 0.3 - 0.1 prints as 0.2.
 *
 * @example
 * delta(0.3, 0.1); // 0.2
 * delta("a", 1);   // null
 */
export function delta(value: unknown, base: unknown): number | null {
  if (typeof value !== "number" || typeof base !== "number" || !Number.isFinite(value) || !Number.isFinite(base)) return null;
  return Number((value - base).toPrecision(12));
}

function makeRow(name: string, values: unknown[], base: number, lowerIsBetter: boolean): CompareRow {
  const keyed = values.map((v) => JSON.stringify(v ?? null));
  return {
    name,
    values: values.map((v) => v ?? null),
    deltas: values.map((v, i) => (i === base ? null : delta(v, values[base]))),
    lower_is_better: lowerIsBetter,
    changed: keyed.some((k) => k !== keyed[0]),
  };
}

function unionInOrder(lists: string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const x of list) seen.add(x);
  return [...seen];
}
