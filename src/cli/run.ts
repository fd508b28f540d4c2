/**
 * `scryptorum run`, end to end (`runExperiment`): every input is checked before anything
 * is written (`prepareRun`), then the run is opened, handed to the library through
 * `runtime.host`, the user's code runs inside it in this process, and the summary is
 * printed. Errors are thrown for the CLI entry to turn into exit codes.
 */
// Loaded for its registration: milestone runs call the snapshot through core/milestone.ts.
import "../snapshot";
import { readFileSync, statSync } from "node:fs";
import { defu } from "defu";
import { relative, resolve } from "pathe";
import { ExperimentFailed, Interrupted, UserError, type StopSignal } from "../core/errors";
import { Experiment, type RunSummary } from "../core/experiment";
import { Project } from "../core/project";
import type { Run, RunMeta, RunTypeName } from "../core/run";
import { checkResume, revertResume } from "../core/resume";
import { runtime, type HostRun } from "../core/runtime";
import { listen, receivedSignal, unlisten } from "../core/lifecycle";
import { validateName, validateRunId } from "../core/validate";
import { importUserModule, resolveModule, resolveScript, staticExports } from "../loader";
import { registry, type Plugin } from "../plugins/registry";
import { describeThrown, normalizeLoadError } from "./errors";
import { runModule, runScript } from "./invoke";
import { logger } from "./log";
import { formatRunSummary } from "./format";
import { out, stdoutToStderr, writeAllSync } from "./output";
import { watchUserCode } from "./watch";
import { liveSettings } from "../otel/live-settings";
import type { OtlpSettings } from "../otel/config";
import { livePushRemote, parseAttach, pullForAttach, startLivePush, type AttachTarget } from "../remote/live";
import type { Remote } from "../remote/config";

export interface RunRequest {
  experiment: string;
  module?: string;
  script?: string;
  milestone?: boolean;
  runId?: string;
  /** Path of a JSON file merged over the experiment's own config. */
  config?: string;
  projectRoot?: string;
  /** Arguments after `--`, for the user's code. */
  userArgs?: string[];
  /** Recorded as the run's argv (secrets redacted by the core). */
  argv?: string[];
  cwd?: string;
  /** `--otlp`: send the run live to an OpenTelemetry collector. */
  otlp?: boolean;
  /** `--resume <run-id>`: reopen that run and add what it is missing. */
  resume?: string;
  /** `--force`: resume although the evaluation changed. */
  force?: boolean;
  /** `--max-cost-usd`: evaluate()'s budget, over the code's own. */
  maxCostUsd?: string;
  /** `--push [<remote>]`: push the milestone to a team bucket while it runs and at its end. */
  push?: string | boolean;
  /** `--attach <remote>:<experiment>/<run-id>`: join that run as one more writer. */
  attach?: string;
  /** `--cache`: answer repeated LLM requests from the project's cache (SCRYPTORUM_CACHE=1). */
  cache?: boolean;
  /** `--json`: the summary as JSON on stdout, and what the user's code prints there goes to stderr. */
  json?: boolean;
}

/** A request that passed every check; nothing has been written yet. */
export interface PreparedRun {
  project: Project;
  experiment: string;
  type: RunTypeName;
  runId?: string;
  /** Set for `--resume`: `runId` names the run to reopen. */
  resume?: boolean;
  mode: "module" | "script";
  /** The spec as the user gave it (without `#Export`), for messages. */
  spec: string;
  file: string;
  exportName?: string;
  config: Record<string, unknown>;
  /** The experiment's `config/config.json` (`{}` when missing): the base `config` is merged over. */
  baseConfig: Record<string, unknown>;
  plugins: string[];
  /** Live OpenTelemetry export (`--otlp`, or `"otlp"` in .scryptorum), checked. */
  otlp?: OtlpSettings;
  /** Live push to a team bucket (`--push`, or `"push"` in .scryptorum), checked. */
  push?: Remote;
  /** The run to join instead of a new one (`--attach`). */
  attach?: AttachTarget;
  userArgs: string[];
  argv: string[];
  cwd: string;
  /**
   * Variables the user's code and its child processes get for `--cache`, `--force` and
   * `--max-cost-usd` (read by the clients and evaluate(), in whatever process they run).
   */
  env: Record<string, string>;
}

/** Splits `spec#Export`; the export must be an identifier. */
export function splitExport(spec: string): { spec: string; exportName?: string } {
  const i = spec.lastIndexOf("#");
  if (i <= 0) return { spec };
  const exportName = spec.slice(i + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new UserError(`--module ${spec}: "${exportName}" is not an export name: use --module file.ts#ExportName`);
  }
  return { spec: spec.slice(0, i), exportName };
}

function readConfigFile(path: string, cwd: string): Record<string, unknown> {
  const abs = resolve(cwd, path);
  let text: string;
  try {
    if (statSync(abs).isDirectory()) throw new UserError(`--config ${path} is a folder: give a JSON file`);
    text = readFileSync(abs, "utf8");
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `--config ${path}: no such file (${abs})` : `--config ${path} cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new UserError(`--config ${path} must hold a JSON object, like {"model": "gpt-4o-mini"}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks everything `run` was given, writing nothing: the flags' combination, names and ids,
 * the project, the code to run, the config file, the milestone id, a trial still running.
 */
export function prepareRun(req: RunRequest): PreparedRun {
  const cwd = resolve(req.cwd ?? process.cwd());
  if (req.module === undefined && req.script === undefined) {
    throw new UserError("nothing to run: give --module <file|package> or --script <file>");
  }
  if (req.module !== undefined && req.script !== undefined) {
    throw new UserError("give either --module or --script, not both");
  }
  if (req.runId !== undefined && !req.milestone) {
    throw new UserError("--run-id is only for milestone runs: add --milestone, or drop --run-id");
  }
  const experiment = validateName(req.experiment, "experiment name");
  let type: RunTypeName = req.milestone ? "milestone" : "trial";
  if (req.runId !== undefined) validateRunId(req.runId);
  if (req.force && req.resume === undefined) throw new UserError("--force is for --resume <run-id>: add it, or drop --force");
  if (req.maxCostUsd !== undefined && !(req.maxCostUsd.trim() !== "" && Number.isFinite(Number(req.maxCostUsd)) && Number(req.maxCostUsd) >= 0)) {
    throw new UserError(`--max-cost-usd ${req.maxCostUsd} is not an amount: give US dollars, like --max-cost-usd 5`);
  }
  if (req.resume !== undefined && req.runId !== undefined) {
    throw new UserError("--resume keeps the run's own id: drop --run-id");
  }
  const project = Project.find(cwd, req.projectRoot);
  let resumed: RunMeta | undefined;
  if (req.resume !== undefined) {
    resumed = checkResume(project.root, experiment, req.resume);
    if (req.milestone && resumed.run_type !== "milestone") throw new UserError(`--resume ${req.resume}: that run is a ${resumed.run_type}, and a resumed run keeps its type: drop --milestone`);
    type = resumed.run_type;
  }
  let target: { spec: string; exportName?: string; file: string };
  if (req.module !== undefined) {
    const { spec, exportName } = splitExport(req.module);
    target = { spec, exportName, file: resolveModule(spec, cwd) };
    // A typo in #Export is found here, before a trial is emptied or a milestone id taken.
    const exported = exportName !== undefined ? staticExports(target.file) : undefined;
    if (exported && exportName !== undefined && !exported.includes(exportName)) {
      exported.sort();
      const names = exported.filter((n) => n !== "default");
      throw new UserError(
        `--module ${req.module}: ${spec} has no export "${exportName}" (it exports: ${exported.join(", ")})${names.length ? `: use --module ${spec}#${names[0]}` : ""}`,
      );
    }
  } else {
    target = { spec: req.script!, file: resolveScript(req.script!, cwd) };
  }
  const config = req.config !== undefined ? readConfigFile(req.config, cwd) : {};
  const baseConfig = Experiment.readConfig(project.root, experiment);
  if (req.attach !== undefined && (req.milestone || req.runId !== undefined || req.resume !== undefined)) {
    throw new UserError("--attach joins an existing run: drop --milestone, --run-id and --resume");
  }
  const attach = req.attach !== undefined ? parseAttach(project, req.attach, experiment) : undefined;
  if (!resumed && !attach) Experiment.checkNewRun(project.root, experiment, type, req.runId);
  const plugins = (project.anchor?.plugins ?? []).map((p) => {
    if (typeof p !== "string" || !project.anchorDir) throw new UserError(`"plugins" in .scryptorum must be a list of file paths`);
    try {
      return resolveModule(p.startsWith(".") || p.startsWith("/") ? p : `./${p}`, project.anchorDir);
    } catch {
      throw new UserError(`plugin ${p} named in ${project.anchorDir}/.scryptorum: no such file: fix or remove it in "plugins"`);
    }
  });
  const otlp = liveSettings(req.otlp, (project.anchor as { otlp?: unknown } | undefined)?.otlp);
  return {
    project,
    experiment,
    type,
    runId: resumed ? resumed.run_id : req.runId,
    ...(resumed ? { resume: true } : {}),
    mode: req.module !== undefined ? "module" : "script",
    spec: target.spec,
    file: target.file,
    exportName: target.exportName,
    config,
    baseConfig,
    plugins,
    otlp,
    push: attach ? attach.remote : livePushRemote(project, req.push, type === "milestone"),
    attach,
    userArgs: req.userArgs ?? [],
    argv: req.argv ?? ["scryptorum", ...process.argv.slice(2)],
    cwd,
    env: {
      ...(req.cache ? { SCRYPTORUM_CACHE: "1" } : {}),
      ...(req.force ? { SCRYPTORUM_RESUME_FORCE: "1" } : {}),
      ...(req.maxCostUsd !== undefined ? { SCRYPTORUM_MAX_COST_USD: req.maxCostUsd } : {}),
    },
  };
}

/** Imports the plugins named in `.scryptorum` and registers them; a plugin that fails to load is the user's to fix. */
async function loadPlugins(files: readonly string[], anchorDir: string): Promise<void> {
  for (const file of files) {
    const shown = relative(anchorDir, file);
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(file);
    } catch (error) {
      throw new UserError(`plugin ${shown} (named in .scryptorum) failed to load: ${(normalizeLoadError(error) as Error).message}`, { cause: error });
    }
    let plugin = (mod.default ?? mod.plugin) as unknown;
    if (typeof plugin === "function") plugin = await (plugin as () => unknown)();
    if (!plugin || typeof plugin !== "object" || typeof (plugin as Plugin).name !== "string") {
      throw new UserError(`plugin ${shown} (named in .scryptorum) must export a plugin: export default { name: "my-plugin", onEvent() {} }`);
    }
    registry.register(plugin as Plugin);
  }
}

/**
 * `scryptorum run`: checks the request (nothing is written when it is refused), opens the
 * run (creating the experiment if needed), runs the user's code inside it, closes it and
 * prints its summary on stdout (JSON with `json`). Throws what the CLI entry turns into an
 * exit code: a UserError (2), `Interrupted` (130/143), `ExperimentFailed` (1; the run is
 * marked failed). Resolves with the summary.
 *
 * @example
 * await runExperiment({ experiment: "sentiment", module: "src/sentiment.ts", milestone: true });
 */
export async function runExperiment(req: RunRequest): Promise<RunSummary & { dir: string }> {
  const p = prepareRun(req);
  // Left in place to the end of the process: a user's own exit hook that prints must not
  // land after the JSON, which goes straight to fd 1.
  if (req.json) stdoutToStderr();
  const printer = summaryPrinter(req.json ?? false);
  const { summary, error, signal } = await openAndRun(p, printer);
  printer.print(summary, error);
  if (signal) throw new Interrupted(`the run was interrupted by ${signal}`, signal);
  // Refused before any of the user's code ran (a BaseRunnable with run()): a usage error, exit 2.
  if ((error as { beforeUserCode?: boolean } | undefined)?.beforeUserCode) throw error;
  if (error !== undefined) {
    throw new ExperimentFailed(`experiment "${p.experiment}" failed: ${describeThrown(error)}`, `${summary.dir}/run.json`, { cause: error });
  }
  return summary;
}

type Summary = RunSummary & { dir: string };

/**
 * Prints the run's summary on stdout, once: when the run is over, or, if the user's code
 * calls process.exit() first, from an exit hook, synchronously as the process goes (the
 * library's exit handler has closed the run by then).
 */
function summaryPrinter(json: boolean) {
  let done = false;
  let onExit: (() => void) | undefined;
  const stop = () => {
    done = true;
    if (onExit) unlisten("exit", onExit);
  };
  const print = (summary: Summary, error: unknown, atExit: boolean) => {
    if (done) return;
    stop();
    // A failed run's JSON says why: {name, message} of what the user's code threw.
    const failure = error !== undefined ? { error: { name: (error as Error)?.name ?? "Error", message: (error as Error)?.message ?? String(error) } } : {};
    // With --json, process.stdout is sent to stderr for the user's code: the JSON goes to fd 1 itself.
    if (json) writeAllSync(1, `${JSON.stringify({ ...summary, ...failure }, null, 2)}\n`);
    else if (atExit) writeAllSync(1, `${formatRunSummary(summary).join("\n")}\n`);
    // Queued behind what the user's code printed to stdout.
    else out(formatRunSummary(summary).join("\n"));
  };
  return {
    print: (summary: Summary, error?: unknown) => print(summary, error, false),
    /** From now until the summary is printed, an exit prints the summary `read` gives. */
    printAtExit(read: () => Summary | undefined) {
      onExit = () => {
        const summary = read();
        if (summary) print(summary, undefined, true);
      };
      listen("exit", onExit);
    },
    /** No summary after all (the run was put back as it was). */
    drop: stop,
  };
}

type SummaryPrinter = ReturnType<typeof summaryPrinter>;

/** Lets async plugin hooks (onRunFinish uploading a report, say) finish, up to `ms`. */
async function waitForPlugins(ms: number): Promise<void> {
  if (runtime.pluginWork.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled([...runtime.pluginWork]), timeout]);
  clearTimeout(timer);
}

/**
 * Hands the open run to the user's code: `runtime.host` for the library in this process,
 * SCRYPTORUM_RUN_* (and `p.env`) for its child processes and Workers (which attach to the
 * run and, by its start, know it from the next trial in the same folder), and
 * process.argv as `bun <file> <args>` would give it. Returns what puts it all back.
 */
function enterHost(host: HostRun<Run>, p: PreparedRun): () => void {
  const { run } = host;
  const vars: Record<string, string> = {
    SCRYPTORUM_RUN_DIR: run.dir,
    SCRYPTORUM_RUN_TYPE: run.type,
    SCRYPTORUM_RUN_STARTED_AT: run.info.started_at,
    ...p.env,
  };
  const saved = Object.entries(vars).map(([name]) => [name, process.env[name]] as const);
  const argv = process.argv;
  Object.assign(process.env, vars);
  process.argv = [process.execPath, p.file, ...p.userArgs];
  runtime.host = host;
  return () => {
    runtime.host = undefined;
    process.argv = argv;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Opens the run, runs the user's code inside it and closes it: `finished`, `interrupted`
 * (the code handled a SIGINT/SIGTERM and returned), or `failed` with the error (a throw, an
 * uncaught error or unhandled rejection, or code left pending with nothing that could settle
 * it). The error, if any, is in the outcome, not thrown.
 */
async function openAndRun(p: PreparedRun, printer: SummaryPrinter): Promise<{ summary: Summary; error?: unknown; signal?: StopSignal }> {
  await loadPlugins(p.plugins, p.project.anchorDir ?? p.cwd);
  if (p.otlp) registry.register(await (await import("../otel/live")).otlpLivePlugin(p.otlp, p.project.name));
  const exp = new Experiment(p.project, p.experiment);
  // config/config.json, then a wrapper's own config (applied when it joins), then --config.
  const config = defu(p.config, p.baseConfig) as Record<string, unknown>;
  if (p.attach) await pullForAttach(p.project, p.attach);
  const run = p.attach
    ? exp.openRun(p.attach.runId)
    : p.resume ? exp.resumeRun(p.runId!, { config, argv: p.argv }) : exp.createRun(p.type, p.runId, { config, argv: p.argv, cwd: p.cwd });
  const what = `${p.mode === "module" ? "--module" : "--script"} ${p.spec}${p.exportName ? `#${p.exportName}` : ""}`;
  logger.info(`${p.attach ? "attached to" : p.resume ? "resumed" : "started"} ${run.id} (${run.type}) of experiment "${p.experiment}": ${what}`);
  const remote = p.push;
  const live = remote && startLivePush(p.project, remote, p.experiment, run.id, { onError: (e) => logger.warn(`push to ${remote.name} failed (retrying every few seconds): ${(e as Error).message}`) });
  const host: HostRun<Run> = { run, config: p.config, baseConfig: p.baseConfig };
  const leave = enterHost(host, p);
  // An uncaught error in the user's code fails the run as a throw does.
  const watch = watchUserCode();
  // Kept until the summary is printed: an exit while plugins finish counts too.
  printer.printAtExit(() => {
    const summary = exp.runSummary(run.id);
    return summary && { ...summary, dir: run.dir };
  });
  let error: unknown;
  let signal: StopSignal | undefined;
  let refused: unknown;
  try {
    if (p.mode === "module") await runModule(p.file, p.spec, p.exportName, run, config, watch);
    else await runScript(p.file, p.spec, host, watch);
    const code = process.exitCode;
    if (typeof code === "number" && code !== 0) {
      process.exitCode = undefined; // the CLI sets its own: 1, the experiment failed
      throw new Error(`your code set process.exitCode to ${code}`);
    }
    // The user's code handled a SIGINT/SIGTERM and returned: the run ends interrupted.
    signal = receivedSignal();
    if (signal) run.interrupt(signal);
    else run.finish();
  } catch (thrown) {
    error = normalizeLoadError(thrown);
    // A resume refused by the evaluation (its dataset, prompts or scorers changed): the run
    // is put back exactly as it was, and the refusal is a usage error (exit 2).
    if (p.resume && (error as { resumeRefused?: boolean })?.resumeRefused && revertResume(run)) {
      refused = error;
    } else run.fail(error);
  } finally {
    await waitForPlugins(10_000);
    if (live) {
      await live.stop().then(
        (r) => logger.info(`pushed ${run.id} to ${remote!.name}${r?.commit ? ` (commit ${r.commit})` : ""}`),
        (e) => logger.warn(`the last push of ${run.id} to ${remote!.name} failed: ${(e as Error).message}; the run is safe here: \`scryptorum push ${p.experiment} --runs ${run.id}\` sends it`),
      );
    }
    if (p.otlp) registry.unregister("scryptorum:otlp");
    watch.close();
    leave();
  }
  if (refused !== undefined) {
    printer.drop();
    throw refused;
  }
  const summary = exp.runSummary(run.id);
  if (!summary) throw new Error(`Failed to read run ${run.id} back from ${run.dir}`);
  if (error === undefined && run.status === "failed") error = new Error(run.info.error?.message ?? "the run was marked failed");
  return { summary: { ...summary, dir: run.dir }, error, signal };
}
