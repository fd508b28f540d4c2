/**
 * The file layout of a project, as pure path functions. Nothing here touches the disk.
 */
import { join } from "pathe";

export const FORMAT = 1;
export const ANCHOR_FILE = ".scryptorum";
export const PROJECT_FILE = "project.json";
export const EXPERIMENT_FILE = "experiment.json";
export const RUN_FILE = "run.json";
export const EVENTS_FILE = "run.jsonl";
export const METRICS_FILE = "metrics.jsonl";
export const TIMINGS_FILE = "timings.jsonl";
export const PROJECT_SUBDIRS = ["experiments", "data", "models", "artifacts"] as const;
export const EXPERIMENT_SUBDIRS = ["runs", "data", "config", "prompts"] as const;
export const MILESTONE_SUBDIRS = ["artifacts", "config", "prompts", "code_snapshot"] as const;

export const projectFile = (root: string) => join(root, PROJECT_FILE);
export const experimentsRoot = (root: string) => join(root, "experiments");
export const experimentDir = (root: string, experiment: string) => join(root, "experiments", experiment);
export const experimentFile = (root: string, experiment: string) =>
  join(experimentDir(root, experiment), EXPERIMENT_FILE);
export const runsDir = (root: string, experiment: string) => join(experimentDir(root, experiment), "runs");
export const runDir = (root: string, experiment: string, runId: string) =>
  join(runsDir(root, experiment), runId);

/** Paths of the files inside one run folder. */
export function runFiles(dir: string) {
  return {
    run: join(dir, RUN_FILE),
    events: join(dir, EVENTS_FILE),
    metrics: join(dir, METRICS_FILE),
    timings: join(dir, TIMINGS_FILE),
    artifacts: join(dir, "artifacts"),
    config: join(dir, "config"),
    prompts: join(dir, "prompts"),
    codeSnapshot: join(dir, "code_snapshot"),
    manifest: join(dir, "snapshot_manifest.json"),
    environment: join(dir, "environment.json"),
    gitDiff: join(dir, "git.diff"),
  };
}

/** Default milestone id for a start time: `ms-YYYYMMDD-HHMMSS` in UTC. */
export function milestoneId(date: Date): string {
  const iso = date.toISOString(); // 2026-01-01T12:00:00.000Z
  return `ms-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}
