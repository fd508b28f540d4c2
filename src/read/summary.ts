/**
 * A run's report: run.json's header, environment.json's git info, and one pass over each of
 * metrics.jsonl, timings.jsonl and run.jsonl. What `show` prints and `compare`, `check` and
 * `export` build on; plain JSON, for the web viewer too.
 */
import { readFileSync } from "node:fs";
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";
import type { RunError, RunTypeName } from "../core/run";
import { EventType } from "../core/records";
import { readRunJson, reportedStatus, type ReportedStatus } from "../core/runfile";
import { LlmAggregator, MetricAggregator, TimingAggregator, hasError, type LlmSummary, type MetricSummary, type TimingSummary } from "./aggregate";
import { SpanCollector, type SpanNode } from "./spans";

/** git as environment.json recorded it for a milestone. */
export interface GitSummary {
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
  remote: string | null;
}

/** Run-level figures, checkable and comparable like metrics. */
export interface RunFigures {
  duration_seconds: number | null;
  llm_calls: number;
  llm_errors: number;
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  cost_usd: number | null;
}

/** Everything `show` knows about a run. */
export interface RunOrigin {
  remote: string;
  hosts: string[];
  heartbeat_at: string;
  pulled_at: string;
  writers: { writer: string; host: string; status: string; pushed_at: string }[];
}

export interface RunReport {
  run_id: string;
  run_type: RunTypeName;
  experiment: string;
  project: string;
  status: ReportedStatus;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  /** A run pulled from a team bucket: where from, the hosts that wrote it, their last push. */
  origin?: RunOrigin;
  tags: string[];
  note: string | null;
  config: Record<string, unknown>;
  error: RunError | null;
  /** Milestones only (null for a trial, or outside git). */
  git: GitSummary | null;
  metrics: MetricSummary[];
  timings: TimingSummary[];
  llm: LlmSummary;
  /** Count of run.jsonl events by type. */
  events: Record<string, number>;
  figures: RunFigures;
  /** Only when asked for (`tree: true`). */
  spans?: SpanNode[];
}

export interface ReportOptions extends ReadOptions {
  /** Build the span tree (`show --tree`). */
  tree?: boolean;
  /** How many of the slowest LLM calls to keep; default 5. */
  slowest?: number;
}

/**
 * Reads a run folder into a report, streaming each JSONL file once.
 *
 * @example
 * const report = readRunReport("experiments/demo/experiments/qa/runs/v1");
 * report.metrics.find((m) => m.name === "accuracy")?.last; // 0.91
 */
export function readRunReport(dir: string, opts: ReportOptions = {}): RunReport {
  const meta = readRunJson(dir);
  const files = runFiles(dir);
  const read = { onSkipped: opts.onSkipped };
  const spans = opts.tree ? new SpanCollector() : undefined;

  const metrics = new MetricAggregator();
  readJsonl(files.metrics, (r) => metrics.add(r), read);

  const timings = new TimingAggregator();
  readJsonl(files.timings, (r) => {
    timings.add(r);
    if (spans && typeof r.operation === "string") spans.add(r, "timing", hasError(r));
  }, read);

  const llm = new LlmAggregator(opts.slowest ?? 5);
  const events: Record<string, number> = Object.create(null);
  readJsonl(files.events, (r) => {
    const type = r.event_type;
    if (type === EventType.LLM_CALL) {
      llm.add(r);
      if (spans) spans.add(r, "llm", hasError(r));
    }
    if (typeof type === "string") events[type] = (events[type] ?? 0) + 1;
  }, read);

  const llmSummary = llm.result();
  const report: RunReport = {
    run_id: meta.run_id,
    run_type: meta.run_type,
    experiment: meta.experiment,
    project: meta.project,
    status: reportedStatus(meta),
    started_at: meta.started_at,
    finished_at: meta.finished_at ?? null,
    duration_seconds: meta.duration_seconds ?? null,
    tags: meta.tags ?? [],
    note: meta.note ?? null,
    config: meta.config ?? {},
    error: meta.error ?? null,
    git: meta.run_type === "milestone" ? readGit(files.environment) : null,
    metrics: metrics.result(),
    timings: timings.result(),
    llm: llmSummary,
    events: { ...events },
    figures: {
      duration_seconds: meta.duration_seconds ?? null,
      llm_calls: llmSummary.calls,
      llm_errors: llmSummary.errors,
      input_tokens: llmSummary.input_tokens,
      output_tokens: llmSummary.output_tokens,
      tokens: llmSummary.total_tokens,
      cost_usd: llmSummary.cost_usd,
    },
  };
  if (meta.origin) report.origin = meta.origin as RunOrigin;
  if (spans) report.spans = spans.tree();
  return report;
}

function readGit(path: string): GitSummary | null {
  let env: { git?: Record<string, unknown> | null };
  try {
    env = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null; // no environment.json (an old or half-made milestone): nothing to show
  }
  const g = env?.git;
  if (!g || typeof g !== "object") return null;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return { commit: str(g.commit), branch: str(g.branch), dirty: typeof g.dirty === "boolean" ? g.dirty : null, remote: str(g.remote) };
}

/**
 * The value of a metric or run-level figure in a report: the metric's last value first,
 * then `cost_usd`, `tokens`, `llm_calls`, `duration_seconds` and the other figures.
 * Undefined when the run has neither.
 *
 * @example
 * figureOf(report, "accuracy"); // 0.91
 * figureOf(report, "cost_usd"); // 1.42
 */
export function figureOf(report: RunReport, name: string): unknown {
  const metric = report.metrics.find((m) => m.name === name);
  if (metric) return metric.last;
  if (Object.hasOwn(report.figures, name)) {
    const v = report.figures[name as keyof RunFigures];
    return v === null ? undefined : v;
  }
  return undefined;
}

/** The type a metric was logged with, when the report has that metric. */
export function metricTypeOf(report: RunReport, name: string): string | undefined {
  return report.metrics.find((m) => m.name === name)?.type;
}
