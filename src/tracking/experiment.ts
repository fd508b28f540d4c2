/**
 * `experiment()`: a function that opens a run when called, or joins the run of
 * `scryptorum run`, whose project, experiment, run type and run id always win.
 */
// Loaded for its registration: milestone runs call the snapshot through core/milestone.ts.
import "../snapshot";
import { defu } from "defu";
import { Experiment } from "../core/experiment";
import { Project } from "../core/project";
import { runtime } from "../core/runtime";
import type { Run, RunTypeName } from "../core/run";
import { UserError } from "../core/errors";
import { dualUse, isThenable, keepIdentity, type Wrapper } from "./decorate";
import { hostRun, joinedConfig } from "./context";
import { revertResume } from "../core/resume";

export interface ExperimentOptions {
  name?: string;
  projectRoot?: string;
  runType?: RunTypeName;
  runId?: string;
  config?: Record<string, unknown>;
  /**
   * Reopen this run (a milestone id, or "trial_run") instead of starting one, as
   * `scryptorum run --resume` does: `evaluate()` inside runs only the missing cases.
   */
  resume?: string;
}

/** The run type for a direct run: option > SCRYPTORUM_RUN_TYPE > setDefaultRunType() > trial. */
export function resolveRunType(option?: string): RunTypeName {
  const env = process.env.SCRYPTORUM_RUN_TYPE;
  const type = option ?? (env ? env.toLowerCase() : undefined) ?? runtime.defaultRunType ?? "trial";
  if (type !== "trial" && type !== "milestone") {
    throw new UserError(`run type "${type}"${option ? "" : " (from SCRYPTORUM_RUN_TYPE)"} is not valid: use "trial" or "milestone"`);
  }
  return type;
}

/** A resume the evaluation refused puts the run back as it was; any other error fails it. */
function failOrRevert(run: Run, error: unknown): void {
  if ((error as { resumeRefused?: boolean } | null)?.resumeRefused && revertResume(run)) return;
  run.fail(error);
}

/** Runs `body` inside `run`, finishing it, or failing it with the error it rethrows. */
export function runInside<T>(run: Run, body: () => T): T {
  let result: T;
  try {
    result = runtime.als.run({ run }, body);
  } catch (error) {
    failOrRevert(run, error);
    throw error;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        run.finish();
        return value;
      },
      (error) => {
        failOrRevert(run, error);
        throw error;
      },
    ) as T;
  }
  run.finish();
  return result;
}

/**
 * Marks a function as an experiment: calling it opens a run (trial unless told otherwise),
 * runs it with the arguments given, and closes the run `finished`, or `failed` with the
 * error, which it rethrows. Under `scryptorum run` it joins the CLI's run instead.
 *
 * @example
 * export const main = experiment({ name: "sentiment", config: { model: "gpt-4o-mini" } })(async () => {
 *   const reviews = await loadReviews();
 *   return score(await Promise.all(reviews.map(classify)));
 * });
 */
export function experiment(opts?: string | ExperimentOptions): Wrapper {
  const o: ExperimentOptions = typeof opts === "string" ? { name: opts } : (opts ?? {});
  return dualUse(o.name, (fn, name) => {
    const wrapped = keepIdentity(function (this: unknown, ...args: unknown[]) {
      const current = runtime.als.getStore();
      if (current) return fn.apply(this, args); // nested experiment: stay in the open run
      const host = hostRun();
      if (host) {
        // The CLI's run (or a parent process's): its project, experiment, type and id win.
        const joined = o.config && joinedConfig(host, o.config);
        if (joined) host.setConfig(joined);
        const result = runtime.als.run({ run: host }, () => fn.apply(this, args));
        runtime.host?.experiments?.called(wrapped, result);
        return result;
      }
      const project = Project.open(o.projectRoot);
      const exp = new Experiment(project, name);
      const base = Experiment.readConfig(project.root, name);
      const config = Object.keys(base).length > 0 ? (defu(o.config ?? {}, base) as Record<string, unknown>) : o.config;
      const run = o.resume !== undefined ? exp.resumeRun(o.resume, { config }) : exp.createRun(resolveRunType(o.runType), o.runId, { config });
      return runInside(run, () => fn.apply(this, args));
    }, fn);
    Object.defineProperty(wrapped, EXPERIMENT_MARK, { value: { name, options: o } });
    runtime.host?.experiments?.defined(wrapped);
    return wrapped;
  });
}

/** Marks functions made by `experiment()`, so the CLI can find "the only experiment export". */
export const EXPERIMENT_MARK = Symbol.for("scryptorum.experiment");

/** True for a function made by `experiment()`. */
export function isExperimentFunction(value: unknown): boolean {
  return typeof value === "function" && EXPERIMENT_MARK in value;
}
