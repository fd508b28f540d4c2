/**
 * The JSON API under /api/: thin views over src/read (reports, comparisons, cases, diffs,
 * series, LLM calls). Names and paths are checked in context.ts; artifacts and snapshot
 * files are served by files.ts.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { RunSummary } from "../core/experiment";
import { experimentDir, experimentFile, runFiles } from "../core/layout";
import { Project } from "../core/project";
import { readLlmCalls, type LlmCallPage } from "../read/calls";
import { readCompareView, type CompareView } from "../read/compare-view";
import { readEvalTable, type EvalTable } from "../read/eval-cases";
import { readMetricSeries, type MetricSeries } from "../read/series";
import { readRunReport, type RunReport } from "../read/summary";
import { experimentPath, listRuns, quiet, readJson, runDirChecked, type ApiContext } from "./context";
import { listArtifacts, type ArtifactEntry } from "./files";
import { HttpError } from "./http";
import { checkName, isInside, real } from "./paths";

export { openContext, runDirChecked, type ApiContext } from "./context";
export type { CompareView } from "../read/compare-view";
export { artifactFile, snapshotFile, snapshotView, type ArtifactEntry } from "./files";

/** One experiment on the project page. */
export interface ExperimentCard {
  name: string;
  description: string | null;
  created_at: string | null;
  runs: number;
  /** Runs by reported status. */
  statuses: Record<string, number>;
  /** The latest run (by start time), with its metrics. */
  latest: RunSummary | null;
}

/** `GET /api/project` */
export function projectView(ctx: ApiContext): { name: string; root: string; experiments: ExperimentCard[] } {
  const project = new Project(ctx.root);
  const experiments: ExperimentCard[] = [];
  for (const e of project.listExperiments()) {
    const realDir = real(experimentDir(ctx.root, e.name));
    if (realDir === undefined || !isInside(ctx.realRoot, realDir)) continue;
    let runs: RunSummary[] = [];
    try {
      runs = listRuns(ctx, e.name);
    } catch {
      // A bad name on disk or an unreadable folder: listed with no runs.
    }
    const info = readJson(experimentFile(ctx.root, e.name)) ?? {};
    const statuses: Record<string, number> = {};
    for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    experiments.push({
      name: e.name,
      description: typeof info.description === "string" ? info.description : null,
      created_at: typeof info.created_at === "string" ? info.created_at : null,
      runs: runs.length,
      statuses,
      latest: runs[runs.length - 1] ?? null,
    });
  }
  return { name: project.name, root: project.root, experiments };
}

/** `GET /api/experiments/:experiment` */
export function experimentView(ctx: ApiContext, name: string) {
  const dir = experimentPath(ctx, name);
  const info = readJson(join(dir, "experiment.json")) ?? {};
  const runs = listRuns(ctx, name);
  const metricNames = new Set<string>();
  const tags = new Set<string>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.metrics)) if (typeof v === "number") metricNames.add(k);
    for (const t of r.tags) tags.add(t);
  }
  return {
    name,
    description: typeof info.description === "string" ? info.description : null,
    created_at: typeof info.created_at === "string" ? info.created_at : null,
    runs,
    metric_names: [...metricNames],
    tags: [...tags].sort(),
  };
}

/** Byte offsets of a run's JSONL files: where a live stream picks up after this read. */
export interface TailOffsets {
  events: number;
  metrics: number;
  timings: number;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function offsetsOf(dir: string): TailOffsets {
  const f = runFiles(dir);
  return { events: sizeOf(f.events), metrics: sizeOf(f.metrics), timings: sizeOf(f.timings) };
}

/** `GET /api/experiments/:experiment/runs/:run` */
export function runView(ctx: ApiContext, experiment: string, runId: string): {
  report: RunReport;
  offsets: TailOffsets;
  artifacts: ArtifactEntry[];
  snapshot: { files: number; bytes: number; excluded: number } | null;
} {
  const dir = runDirChecked(ctx, experiment, runId);
  // Sizes first: a line appended while the report is read is sent again by the stream,
  // and the viewer only refetches on it, so nothing is lost and nothing counted twice.
  const offsets = offsetsOf(dir);
  const report = readRunReport(dir, { ...quiet, tree: true, slowest: 5 });
  const manifest = readJson(runFiles(dir).manifest);
  const files: unknown[] = Array.isArray(manifest?.files) ? manifest.files : [];
  const snapshot = manifest
    ? {
        files: files.length,
        bytes: files.reduce((s: number, f: any) => s + (typeof f?.size === "number" ? f.size : 0), 0),
        excluded: Array.isArray(manifest.excluded) ? manifest.excluded.length : 0,
      }
    : null;
  return { report, offsets, artifacts: listArtifacts(ctx, dir), snapshot };
}

/** `GET /api/experiments/:experiment/runs/:run/series` */
export function seriesView(ctx: ApiContext, experiment: string, runId: string): { series: MetricSeries[] } {
  return { series: readMetricSeries(runDirChecked(ctx, experiment, runId), quiet) };
}

/** `GET /api/experiments/:experiment/runs/:run/llm-calls?q=&offset=&limit=` */
export function callsView(ctx: ApiContext, experiment: string, runId: string, params: URLSearchParams): LlmCallPage {
  const dir = runDirChecked(ctx, experiment, runId);
  const int = (name: string, fallback: number, max: number) => {
    const raw = params.get(name);
    if (raw === null || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `${name} must be a whole number`);
    return Math.min(n, max);
  };
  const q = params.get("q") ?? "";
  if (q.length > 1000) throw new HttpError(400, "q is too long");
  return readLlmCalls(dir, { ...quiet, q, offset: int("offset", 0, 1e9), limit: int("limit", 50, 500) });
}

/** `GET /api/experiments/:experiment/runs/:run/cases`: the run's eval table (case_result rows). */
export function casesView(ctx: ApiContext, experiment: string, runId: string): EvalTable {
  return readEvalTable(runDirChecked(ctx, experiment, runId), quiet);
}

/** Most runs one comparison takes. */
export const MAX_COMPARE = 50;

/** Parses a `runs=a,b,c` list. */
export function parseRunList(raw: string | null): string[] {
  const ids = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new HttpError(400, "runs is missing: give run ids as runs=a,b");
  if (ids.length > MAX_COMPARE) throw new HttpError(400, `at most ${MAX_COMPARE} runs can be compared`);
  for (const id of ids) checkName(id, "run id");
  return [...new Set(ids)];
}

/** `GET /api/experiments/:experiment/compare?runs=a,b&baseline=a` */
export function compareView(ctx: ApiContext, experiment: string, runIds: string[], baseline?: string | null): CompareView {
  if (baseline !== undefined && baseline !== null && baseline !== "") {
    checkName(baseline, "baseline");
    if (!runIds.includes(baseline)) throw new HttpError(400, "the baseline must be one of the compared runs");
  }
  return readCompareView(experiment, runIds.map((id) => ({ run_id: id, dir: runDirChecked(ctx, experiment, id) })), baseline ?? undefined);
}
