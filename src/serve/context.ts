/**
 * What every API handler starts from: the project (by the path given and by its real
 * path), and the experiment and run folders a request names, each checked against the
 * contract's name pattern and resolved (symlinks followed) inside the project.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Experiment, type RunSummary } from "../core/experiment";
import { experimentDir, experimentFile, runDir, runFiles } from "../core/layout";
import { Project } from "../core/project";
import { HttpError } from "./http";
import { assertAllInside, checkName, isInside, real } from "./paths";

/** What every handler knows: the project, by the path given and by its real path. */
export interface ApiContext {
  root: string;
  realRoot: string;
}

/** Opens the context for a project root; throws (a UserError) when it is not a project. */
export function openContext(projectRoot: string): ApiContext {
  const project = new Project(projectRoot);
  const realRoot = real(project.root);
  if (realRoot === undefined) throw new Error(`Failed to resolve ${project.root}`);
  return { root: project.root, realRoot };
}

/** Read warnings (a torn last line) are expected while runs are being written: not logged per request. */
export const quiet = { onSkipped: () => {} };

export function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The experiment's folder, after checking its name, that it exists and that it stays inside the project. */
export function experimentPath(ctx: ApiContext, name: string): string {
  checkName(name, "experiment name");
  const dir = experimentDir(ctx.root, name);
  const realDir = real(dir);
  if (realDir === undefined || real(experimentFile(ctx.root, name)) === undefined) throw new HttpError(404, "no such experiment");
  if (!isInside(ctx.realRoot, realDir)) throw new HttpError(403, "outside the project");
  return dir;
}

/** The run's folder, checked the same way, its own files included. */
export function runDirChecked(ctx: ApiContext, experiment: string, runId: string): string {
  experimentPath(ctx, experiment);
  checkName(runId, "run id");
  const dir = runDir(ctx.root, experiment, runId);
  const realDir = real(dir);
  if (realDir === undefined || real(join(dir, "run.json")) === undefined) throw new HttpError(404, "no such run");
  if (!isInside(ctx.realRoot, realDir)) throw new HttpError(403, "outside the project");
  const f = runFiles(dir);
  assertAllInside(ctx.realRoot, [f.run, f.events, f.metrics, f.timings, f.manifest, f.environment]);
  return dir;
}

/** The experiment's runs, less any whose folder resolves outside the project. */
export function listRuns(ctx: ApiContext, name: string): RunSummary[] {
  return new Experiment(ctx.root, name, { create: false }).listRuns().filter((r) => {
    const dir = real(runDir(ctx.root, name, r.run_id));
    return dir !== undefined && isInside(ctx.realRoot, dir);
  });
}

