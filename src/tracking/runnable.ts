/**
 * Class-based experiments: extend `BaseRunnable`, and run it with `Runner` or
 * `scryptorum run --module file.ts#Name`.
 */
// Loaded for its registration: milestone runs call the snapshot through core/milestone.ts.
import "../snapshot";
import { Experiment } from "../core/experiment";
import { Project } from "../core/project";
import { runtime } from "../core/runtime";
import type { Run, RunTypeName } from "../core/run";
import { resolveRunType } from "./experiment";
import { hostRun, joinedConfig } from "./context";
import { defu } from "defu";
import { UserError } from "../core/errors";

/**
 * Base class for class-based experiments. Override `prepare`, `execute`, `score` and
 * `cleanup` (each sync or async); `cleanup` always runs.
 *
 * @example
 * export class Sentiment extends BaseRunnable {
 *   async execute() { this.run.logMetric("accuracy", await evaluate(this.config)); }
 * }
 */
export class BaseRunnable<C extends Record<string, unknown> = Record<string, unknown>> {
  constructor(
    public run: Run,
    public config: C,
  ) {}
  prepare(): unknown {
    return undefined;
  }
  execute(): unknown {
    return undefined;
  }
  score(): unknown {
    return undefined;
  }
  cleanup(): unknown {
    return undefined;
  }
}

export type RunnableClass = new (run: Run, config: any) => BaseRunnable<any>;

/** True for a class extending BaseRunnable (from any copy of scryptorum). */
export function isRunnableClass(value: unknown): value is RunnableClass {
  if (typeof value !== "function" || !value.prototype) return false;
  for (let p = value.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.[RUNNABLE_MARK] || p.constructor === BaseRunnable) return true;
  }
  return false;
}
const RUNNABLE_MARK = Symbol.for("scryptorum.runnable");

/**
 * Refuses a BaseRunnable subclass that defines `run()` (the Python tool's phase name): the
 * field `this.run` (the Run) would shadow it and the phase would be skipped silently.
 * The error is marked `beforeUserCode`: nothing of the user's ran, the CLI exits 2.
 */
export function checkRunnableClass(cls: Function): void {
  for (let p = cls.prototype; p && p !== BaseRunnable.prototype && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.[RUNNABLE_MARK] && p.constructor !== cls) break; // another copy's BaseRunnable
    if (Object.prototype.hasOwnProperty.call(p, "run")) {
      throw Object.assign(
        new UserError(
          `${cls.name || "the class"} defines run(), which BaseRunnable does not call (this.run is the Run): name that phase execute(); the phases are prepare(), execute(), score(), cleanup()`,
        ),
        { beforeUserCode: true },
      );
    }
  }
}
Object.defineProperty(BaseRunnable, RUNNABLE_MARK, { value: true });

/** Runs the lifecycle inside `run`: prepare, execute, score, then cleanup always. */
export async function executeRunnable(runnable: BaseRunnable<any>, run: Run): Promise<void> {
  await runtime.als.run({ run }, async () => {
    let failure: unknown;
    try {
      await runnable.prepare();
      await runnable.execute();
      await runnable.score();
    } catch (error) {
      failure = error;
    }
    try {
      await runnable.cleanup();
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
  });
}

export interface RunExperimentOptions<C extends Record<string, unknown>> {
  runnable?: RunnableClass | BaseRunnable<any>;
  fn?: (run: Run, config: C) => unknown;
  runType?: RunTypeName;
  runId?: string;
  config?: C;
}

/**
 * Runs a runnable or a function as a run of an experiment and returns the finished run.
 *
 * @example
 * const run = await new Runner(".").runExperiment("sentiment", { runnable: Sentiment, runType: "milestone" });
 */
export class Runner {
  readonly project: Project;
  constructor(projectRoot?: string) {
    this.project = Project.open(projectRoot);
  }

  async runExperiment<C extends Record<string, unknown>>(name: string, opts: RunExperimentOptions<C>): Promise<Run> {
    if (!opts.runnable === !opts.fn) throw new TypeError("runExperiment needs exactly one of { runnable, fn }");
    if (opts.runnable) checkRunnableClass(typeof opts.runnable === "function" ? opts.runnable : opts.runnable.constructor);
    // Under `scryptorum run` (or in a worker of a CLI run) join that run and leave it open.
    const host = hostRun();
    let config: C;
    let run: Run;
    if (host) {
      run = host;
      const joined = joinedConfig(host, opts.config);
      config = (joined ?? opts.config ?? host.config) as C;
      if (joined && opts.config) host.setConfig(joined);
    } else {
      const base = Experiment.readConfig(this.project.root, name);
      const merged = Object.keys(base).length > 0 ? (defu(opts.config ?? {}, base) as C) : opts.config;
      run = new Experiment(this.project, name).createRun(resolveRunType(opts.runType), opts.runId, { config: merged });
      config = run.config as C;
    }
    try {
      if (opts.fn) await runtime.als.run({ run }, async () => opts.fn!(run, config));
      else {
        const r = opts.runnable!;
        await executeRunnable(typeof r === "function" ? new r(run, config) : r, run);
      }
    } catch (error) {
      if (!host) run.fail(error);
      throw error;
    }
    if (!host) run.finish();
    return run;
  }
}
