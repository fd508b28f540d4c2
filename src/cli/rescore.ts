/**
 * `scryptorum rescore <experiment> <run> -m scorers.ts`: loads the scorers, then scores the
 * run's stored outputs into a new run (a trial, or a milestone with --milestone). Every
 * check, the scorers module's loading included, comes before anything is written.
 */
import { resolve } from "pathe";
import { UserError } from "../core/errors";
import { Experiment, type RunSummary } from "../core/experiment";
import { readRunJson } from "../core/runfile";
import { validateRunId } from "../core/validate";
import type { Scorer } from "../eval/evaluate";
import { readCaseResults, rescore } from "../eval/rescore";
import { importUserModule, resolveModule } from "../loader";
import { findExperiment, resolveRun } from "../read/locate";
import { withRun } from "../tracking/context";
import { normalizeLoadError } from "./errors";
import { logger } from "./log";

export interface RescoreRequest {
  experiment: string;
  run: string;
  module: string;
  milestone?: boolean;
  runId?: string;
  projectRoot?: string;
  concurrency?: number;
  argv?: string[];
  cwd?: string;
}

/**
 * The scorers a module exports: its `scores` export, else its default export (an object of
 * scorers), else every exported function, by export name.
 *
 * @example
 * scorersOf({ scores: { exact: exactMatch() } }, "scorers.ts"); // { exact: [Function] }
 */
export function scorersOf(mod: Record<string, unknown>, shown: string): Record<string, Scorer> {
  const pick = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const table = pick(mod.scores) ?? pick(mod.default) ?? Object.fromEntries(Object.entries(mod).filter(([k, v]) => k !== "default" && typeof v === "function"));
  const entries = Object.entries(table);
  const bad = entries.find(([, v]) => typeof v !== "function");
  if (bad) throw new UserError(`${shown}: scores.${bad[0]} is not a function: a scorer is ({ input, output, expected }) => number | boolean | { score, reason }`);
  if (entries.length === 0) throw new UserError(`${shown} exports no scorers: export const scores = { exact: exactMatch() } (or export default { … })`);
  return table as Record<string, Scorer>;
}

/** Runs a rescore; resolves with the new run's summary and what failed, if anything. */
export async function executeRescore(req: RescoreRequest): Promise<{ summary: RunSummary & { dir: string }; from: string; error?: unknown }> {
  const cwd = resolve(req.cwd ?? process.cwd());
  if (!req.module) throw new UserError("rescore needs the scorers: --module <file> (-m), a file exporting scores = { name: scorer }");
  if (req.runId !== undefined && !req.milestone) throw new UserError("--run-id is only for milestone runs: add --milestone, or drop --run-id");
  if (req.runId !== undefined) validateRunId(req.runId);
  const exp = findExperiment(req.experiment, { projectRoot: req.projectRoot, cwd });
  const source = resolveRun(exp, req.run);
  const file = resolveModule(req.module, cwd);
  const type = req.milestone ? "milestone" : "trial";
  Experiment.checkNewRun(exp.project.root, exp.name, type, req.runId);
  // Read before the new run exists: a new trial empties trial_run, which may be the source.
  const stored = readCaseResults(source.dir);
  if (stored.size === 0) throw new UserError(`run ${source.run_id} has no case_result records: rescore works on a run made by evaluate()`);
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(file);
  } catch (error) {
    throw new UserError(`--module ${req.module} failed to load: ${(normalizeLoadError(error) as Error).message}`, { cause: error });
  }
  const scores = scorersOf(mod, req.module);

  const experiment = new Experiment(exp.project, exp.name);
  const config = (readRunJson(source.dir).config ?? {}) as Record<string, unknown>;
  const run = experiment.createRun(type, req.runId, { config, argv: req.argv ?? ["scryptorum", ...process.argv.slice(2)], cwd });
  logger.info(`started ${run.id} (${type}) of experiment "${exp.name}": rescoring ${source.run_id} with ${Object.keys(scores).join(", ")}`);
  let error: unknown;
  try {
    await withRun(run, () => rescore(stored, scores, { fromRunId: source.run_id, concurrency: req.concurrency }));
    run.finish();
  } catch (thrown) {
    error = thrown;
    run.fail(thrown);
  }
  const summary = experiment.runSummary(run.id);
  if (!summary) throw new Error(`Failed to read run ${run.id} back from ${run.dir}`);
  return { summary: { ...summary, dir: run.dir }, from: source.run_id, error };
}
