/** Reading a run from disk for export: run.json, environment.json's git, and its three JSONL files. */
import { readFileSync } from "node:fs";
import { readJsonlAll } from "../core/jsonl";
import { runFiles } from "../core/layout";
import { readRunJson, reportedStatus } from "../core/runfile";
import { runTrace, type MappingOptions, type RunInfo, type TraceSpan } from "./mapping";

function readGit(path: string): RunInfo["git"] {
  try {
    const g = JSON.parse(readFileSync(path, "utf8"))?.git;
    if (!g || typeof g !== "object") return null;
    return { commit: typeof g.commit === "string" ? g.commit : null, branch: typeof g.branch === "string" ? g.branch : null, dirty: typeof g.dirty === "boolean" ? g.dirty : null };
  } catch {
    return null;
  }
}

/** What the root span says about the run in `dir`. */
export function runInfoOf(dir: string): RunInfo {
  const meta = readRunJson(dir);
  return {
    project: meta.project,
    experiment: meta.experiment,
    run_id: meta.run_id,
    run_type: meta.run_type,
    status: reportedStatus(meta),
    started_at: meta.started_at,
    finished_at: meta.finished_at ?? null,
    tags: meta.tags ?? [],
    note: meta.note ?? null,
    config: meta.config ?? {},
    error: meta.error ?? null,
    git: meta.run_type === "milestone" ? readGit(runFiles(dir).environment) : null,
  };
}

/**
 * The spans of the run in `dir`.
 *
 * @example
 * readRunTrace(".../runs/v1").length; // 1 + its LLM calls and timings
 */
export function readRunTrace(dir: string, opts: MappingOptions = {}): TraceSpan[] {
  const files = runFiles(dir);
  return runTrace(runInfoOf(dir), { events: readJsonlAll(files.events), timings: readJsonlAll(files.timings), metrics: readJsonlAll(files.metrics) }, opts);
}
