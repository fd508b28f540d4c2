/**
 * Calling the user's code inside the CLI's run: `--module` picks and calls an export,
 * `--script` executes a file and calls the experiment it only defined.
 */
import type { Run } from "../core/run";
import type { HostRun } from "../core/runtime";
import { userListeners } from "../core/lifecycle";
import { importUserModule } from "../loader";
import { isExperimentFunction } from "../tracking/experiment";
import { checkRunnableClass, executeRunnable, isRunnableClass } from "../tracking/runnable";
import { withRun } from "../tracking/context";
import type { Watch } from "./watch";

const isClass = (fn: Function) => /^class[\s{]/.test(Function.prototype.toString.call(fn));

/**
 * The export `--module` runs: `exportName`, else the default export, else the only
 * experiment or BaseRunnable export. Throws (the run then fails) when there is none.
 */
export function pickExport(mod: Record<string, unknown>, exportName: string | undefined, spec: string): { name: string; value: Function } {
  const names = Object.keys(mod);
  if (exportName !== undefined) {
    const value = mod[exportName];
    if (value === undefined) throw new Error(`${spec} has no export "${exportName}" (it exports: ${names.join(", ") || "nothing"})`);
    if (typeof value !== "function") throw new Error(`export "${exportName}" of ${spec} is a ${typeof value}, not a function or a BaseRunnable class`);
    return { name: exportName, value };
  }
  if (typeof mod.default === "function") return { name: "default", value: mod.default };
  const runnable = names.filter((n) => isExperimentFunction(mod[n]) || isRunnableClass(mod[n]));
  if (runnable.length === 1) return { name: runnable[0]!, value: mod[runnable[0]!] as Function };
  if (runnable.length > 1) {
    throw new Error(`${spec} exports several experiments (${runnable.join(", ")}): pick one with --module ${spec}#${runnable[0]}`);
  }
  const functions = names.filter((n) => typeof mod[n] === "function");
  if (functions.length > 0) {
    throw new Error(
      `${spec} exports ${functions.length === 1 ? "a function" : `${functions.length} functions`} but no experiment() or BaseRunnable class (${functions.join(", ")}): pick one with --module ${spec}#${functions[0]}, or export it as the default`,
    );
  }
  throw new Error(
    `${spec} exports nothing runnable: export an experiment(), a BaseRunnable class or a default function, or name one with --module ${spec}#name`,
  );
}

/**
 * Calls a picked export inside `run`: a BaseRunnable class is instantiated with
 * `(run, config)` and run through its lifecycle; an experiment() function is called with
 * no arguments (it joins the run); any other function gets `(run, config)`.
 */
export async function callExport(target: { name: string; value: Function }, run: Run, config: Record<string, unknown>): Promise<unknown> {
  const fn = target.value;
  if (isRunnableClass(fn)) {
    checkRunnableClass(fn);
    return executeRunnable(new fn(run, config), run);
  }
  if (isClass(fn)) throw new Error(`export "${target.name}" is a class that does not extend BaseRunnable: extend it, or export a function`);
  // Called outside any run context: it joins the CLI's run itself, and applies its own config.
  if (isExperimentFunction(fn)) return fn();
  return withRun(run, () => fn(run, config));
}

const TOP_LEVEL_STUCK = "nothing is left that could settle it (a Worker that exited, a promise nothing resolves)";

/** `--module`: import, pick the export, call it; the run ends when its promise settles. */
export async function runModule(file: string, spec: string, exportName: string | undefined, run: Run, config: Record<string, unknown>, watch: Watch): Promise<void> {
  const mod = await watch.settle(withRun(run, () => importUserModule(file)), `${spec}: its top-level await never settled: ${TOP_LEVEL_STUCK}`);
  const target = pickExport(mod, exportName, spec);
  await watch.settle(callExport(target, run, config), `export "${target.name}" of ${spec} never settled: ${TOP_LEVEL_STUCK}`);
  await watch.tick(); // a rejection left unhandled at the very end still fails the run
}

/**
 * `--script`: executes the file inside the run, as `bun <file>` would: the run ends when
 * the event loop has nothing left to do (a `main().catch(…)` the script did not await has
 * finished), and fails when the script or an experiment it called is still pending then.
 * When it called none (its call guarded by `import.meta.main`, which is false under
 * `import()`) and defined exactly one, that one is called.
 */
export async function runScript(file: string, spec: string, host: HostRun<Run>, watch: Watch): Promise<void> {
  const run = host.run;
  const defined: Function[] = [];
  const pending: { promise: Promise<unknown>; settled: boolean }[] = [];
  let calls = 0;
  host.experiments = {
    defined: (fn) => void defined.push(fn),
    called: (_fn, result) => {
      calls++;
      if (result && typeof (result as PromiseLike<unknown>).then === "function") {
        const entry = { promise: Promise.resolve(result), settled: false };
        // Awaited below; no "unhandled rejection" meanwhile.
        entry.promise.then(() => (entry.settled = true), () => (entry.settled = true));
        pending.push(entry);
      }
    },
  };
  // Once the loop ran dry, an experiment still pending never settles.
  const drain = async () => {
    if (pending.some((e) => !e.settled)) throw new Error(`an experiment ${spec} called never finished: ${TOP_LEVEL_STUCK}`);
    while (pending.length > 0) await pending.shift()!.promise;
  };
  try {
    const mod = await watch.settle(withRun(run, () => importUserModule(file)), `the script's top-level await never settled: ${TOP_LEVEL_STUCK}`);
    await watch.idle();
    // The script's own beforeExit listeners may have started work when the loop ran dry:
    // wait for it too, without calling those listeners again.
    if (userListeners("beforeExit") > 0) await watch.idle({ quietOthers: true });
    await drain();
    if (calls > 0 || defined.length === 0) return;
    const main = defined.length === 1 ? defined[0]! : defined.find((fn) => fn === mod.default);
    if (!main) {
      throw new Error(
        `${spec} defines ${defined.length} experiments and calls none: call one in the script, or run one with --module ${spec}#name`,
      );
    }
    await watch.settle(Promise.resolve(main()), `the experiment ${spec} defines never settled: ${TOP_LEVEL_STUCK}`);
    await watch.idle();
    await drain();
  } finally {
    host.experiments = undefined;
  }
}
