/**
 * Finding what the user named: the project, an experiment in it, a run of it. Every miss is
 * a UserError saying what to run instead.
 */
import { existsSync } from "node:fs";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { Experiment, type RunSummary } from "../core/experiment";
import { experimentDir, experimentFile, runDir } from "../core/layout";
import { Project } from "../core/project";
import { validateName } from "../core/validate";

/** An experiment the user named, found in its project. */
export interface ExperimentRef {
  project: Project;
  name: string;
  dir: string;
}

/**
 * Finds the project (explicit root, SCRYPTORUM_PROJECT_ROOT, or walking up from `cwd`) and
 * the experiment in it.
 *
 * @example
 * const exp = findExperiment("sentiment", { projectRoot: "./experiments/demo" });
 */
export function findExperiment(name: string, opts: { projectRoot?: string; cwd?: string } = {}): ExperimentRef {
  const project = Project.find(opts.cwd ?? process.cwd(), opts.projectRoot);
  validateName(name, "experiment name");
  if (!existsSync(experimentFile(project.root, name))) {
    throw new UserError(`experiment "${name}" does not exist in ${project.root}: see the experiments with \`scryptorum list-experiments\``);
  }
  return { project, name, dir: experimentDir(project.root, name) };
}

/** Every run of the experiment, oldest first (status `crashed` where detected). */
export function listExperimentRuns(exp: ExperimentRef): RunSummary[] {
  return new Experiment(exp.project, exp.name, { create: false }).listRuns();
}

/**
 * The folder of run `runId`, or of the latest run (by started_at) when none is named.
 *
 * @example
 * resolveRun(exp, "v1"); // { run_id: "v1", dir: ".../runs/v1" }
 */
export function resolveRun(exp: ExperimentRef, runId?: string): { run_id: string; dir: string } {
  if (runId === undefined || runId === "") {
    const runs = listExperimentRuns(exp);
    const latest = runs[runs.length - 1];
    if (!latest) throw new UserError(`experiment "${exp.name}" has no runs yet: start one with \`scryptorum run ${exp.name} --script <file>\``);
    return { run_id: latest.run_id, dir: runDir(exp.project.root, exp.name, latest.run_id) };
  }
  const id = validateName(runId, "run id");
  const dir = runDir(exp.project.root, exp.name, id);
  if (!existsSync(join(dir, "run.json"))) {
    throw new UserError(`run "${id}" does not exist in experiment "${exp.name}": see the run ids with \`scryptorum list-runs ${exp.name}\``);
  }
  return { run_id: id, dir };
}
