/**
 * The current run and span. The AsyncLocalStorage lives in the shared runtime object, so
 * a user's own copy of scryptorum and the CLI's see the same run.
 */
import { existsSync } from "node:fs";
import { defu } from "defu";
import { Run, runtime, type RunContext as Context } from "../core/run";
import { readRunJson } from "../core/runfile";
import { endedReason } from "../core/attachment";

/**
 * The run the calling code is inside: the wrapper's or Runner's run, else the run of
 * `scryptorum run`, else the run named by SCRYPTORUM_RUN_DIR (a worker of a CLI run),
 * else undefined.
 *
 * @example
 * getCurrentRun()?.logEvent("checkpoint", { step: 3 });
 */
export function getCurrentRun(): Run | undefined {
  const store = runtime.als.getStore();
  if (store) return store.run;
  return runtime.host?.run ?? envRun();
}

/** The current context (run and span) or the fallback run with no span. */
export function currentContext(): Context | undefined {
  const store = runtime.als.getStore();
  if (store) return store;
  const run = runtime.host?.run ?? envRun();
  return run ? { run } : undefined;
}

/**
 * The run this process works for but did not open: the run of `scryptorum run` in this
 * process, else the run a parent process handed down through SCRYPTORUM_RUN_DIR. Wrappers
 * and Runner join it instead of opening a run of their own, and never close it.
 */
export function hostRun(): Run | undefined {
  return runtime.host?.run ?? envRun();
}

/**
 * The config a wrapper's or Runner's own `config` makes when it joins the run of
 * `scryptorum run`: `--config` over it over the experiment's config/config.json. Undefined
 * when `run` is not that run (a parent process's run keeps its own config).
 */
export function joinedConfig(run: Run, own: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const host = runtime.host;
  if (!host || host.run !== run) return undefined;
  return defu(host.config, own ?? {}, host.baseConfig) as Record<string, unknown>;
}

/** Calls `fn` with `run` as the current run (and `spanId` as the current span). */
export function withRun<T>(run: Run, fn: () => T, spanId?: string): T {
  return runtime.als.run({ run, spanId }, fn);
}

function envRun(): Run | undefined {
  if (runtime.envRun !== undefined) return runtime.envRun ?? undefined;
  const dir = process.env.SCRYPTORUM_RUN_DIR;
  if (!dir) return undefined;
  runtime.envRun = null;
  try {
    if (!existsSync(dir)) {
      process.stderr.write(`scryptorum: SCRYPTORUM_RUN_DIR=${dir} does not exist; logging is off in this process\n`);
      return undefined;
    }
    const meta = readRunJson(dir);
    // The run this process was started for (SCRYPTORUM_RUN_STARTED_AT, set with the dir) may
    // have ended, or a new trial may hold its folder now, by the time it first logs.
    const startedAt = process.env.SCRYPTORUM_RUN_STARTED_AT;
    const why = startedAt ? endedReason(dir, { started_at: startedAt, pid: meta.pid, run_type: meta.run_type, status: "running" }) : undefined;
    if (why) process.stderr.write(`scryptorum: the run at SCRYPTORUM_RUN_DIR=${dir}, started ${startedAt}, ${why}; logging is off in this process\n`);
    else runtime.envRun = new Run({ dir, owned: false, meta });
  } catch (error) {
    process.stderr.write(`scryptorum: cannot attach to SCRYPTORUM_RUN_DIR=${dir}: ${(error as Error).message}\n`);
  }
  return runtime.envRun ?? undefined;
}

/**
 * Sets the run type that `experiment()` uses for direct runs when neither its options nor
 * SCRYPTORUM_RUN_TYPE say.
 *
 * @example
 * setDefaultRunType(RunType.MILESTONE);
 */
export function setDefaultRunType(type: "trial" | "milestone" | undefined): void {
  if (type !== undefined && type !== "trial" && type !== "milestone") {
    throw new TypeError(`run type "${type}" is not valid: use "trial" or "milestone"`);
  }
  runtime.defaultRunType = type;
}

const WORKER_PATCH = Symbol.for("scryptorum.workerEnv");

/**
 * Bun's Workers see process.env as it was at start-up, not the SCRYPTORUM_RUN_DIR that
 * `scryptorum run` sets later: a Worker made while a run is open gets the current
 * environment unless its options name one, so `getCurrentRun()` works in it too.
 */
function shareRunWithWorkers(): void {
  const g = globalThis as { Worker?: new (...args: any[]) => object; Bun?: unknown };
  if (g.Bun === undefined || typeof g.Worker !== "function" || WORKER_PATCH in g.Worker) return;
  // A Proxy, not a subclass: `instanceof Worker` keeps holding both ways, and code that
  // captured the original constructor is not affected.
  const patched: new (...args: any[]) => object = new Proxy(g.Worker, {
    construct(target, args: unknown[], newTarget): object {
      const options = args[1] as Record<string, unknown> | undefined;
      if (process.env.SCRYPTORUM_RUN_DIR !== undefined && options?.env === undefined) {
        args = [args[0], { ...options, env: { ...process.env } }, ...args.slice(2)];
      }
      return Reflect.construct(target, args, newTarget === patched ? target : newTarget);
    },
    get(target, key, receiver) {
      return key === WORKER_PATCH ? true : Reflect.get(target, key, receiver);
    },
    has(target, key) {
      return key === WORKER_PATCH || Reflect.has(target, key);
    },
  });
  g.Worker = patched;
}
shareRunWithWorkers();

const SPAWN_PATCH = Symbol.for("scryptorum.spawnEnv");

/**
 * Bun.spawn and Bun.spawnSync pass on the environment as it was at start-up, not
 * process.env (oven-sh/bun#34972), so a child process started by the user's code under
 * `scryptorum run` would not see SCRYPTORUM_RUN_DIR: while it is set, a call that names no
 * `env` gets the current process.env, as child_process and Node do.
 */
function shareRunWithChildren(): void {
  const bun = (globalThis as { Bun?: Record<PropertyKey, unknown> }).Bun;
  if (bun === undefined || bun[SPAWN_PATCH] === true) return;
  const withEnv = (args: unknown[]): unknown[] => {
    if (process.env.SCRYPTORUM_RUN_DIR === undefined) return args;
    const [first, second] = args as [Record<string, unknown> | unknown[], Record<string, unknown> | undefined];
    if (Array.isArray(first)) return second?.env !== undefined ? args : [first, { ...second, env: { ...process.env } }, ...args.slice(2)];
    if (first !== null && typeof first === "object" && first.env === undefined) return [{ ...first, env: { ...process.env } }, ...args.slice(1)];
    return args;
  };
  try {
    for (const name of ["spawn", "spawnSync"]) {
      const original = bun[name] as (...args: unknown[]) => unknown;
      if (typeof original !== "function") continue;
      bun[name] = function (this: unknown, ...args: unknown[]) {
        return original.apply(this, withEnv(args));
      };
    }
    Object.defineProperty(bun, SPAWN_PATCH, { value: true });
  } catch {
    // a Bun whose spawn cannot be replaced: children then see the start-up environment
  }
}
shareRunWithChildren();
