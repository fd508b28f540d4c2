/**
 * `scryptorum run`: every input is checked before anything is written (`prepareRun`), then
 * the run is opened and the user's code runs inside it in this process (`executeRun`).
 */
// Loaded for its registration: milestone runs call the snapshot through core/milestone.ts.
import "../snapshot";
import { readFileSync, statSync } from "node:fs";
import { defu } from "defu";
import { relative, resolve } from "pathe";
import { UserError } from "../core/errors";
import { Experiment, type RunSummary } from "../core/experiment";
import { Project } from "../core/project";
import type { RunMeta, RunTypeName } from "../core/run";
import { checkResume, revertResume } from "../core/resume";
import { runtime } from "../core/runtime";
import { receivedSignal } from "../core/lifecycle";
import { validateName, validateRunId } from "../core/validate";
import { importUserModule, resolveModule, resolveScript, staticExports } from "../loader";
import { registry, type Plugin } from "../plugins/registry";
import { normalizeLoadError } from "./errors";
import { runModule, runScript } from "./invoke";
import { logger } from "./log";
import { formatRunSummary } from "./format";
import { stdoutToStderr, writeAllSync } from "./output";
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
}

export interface RunOutcome {
  summary: RunSummary & { dir: string };
  /** What the user's code threw (the run is marked failed), if anything. */
  error?: unknown;
  /** The signal that interrupted the run (the user's code handled it and returned). */
  signal?: "SIGINT" | "SIGTERM";
  /** Call once the summary is printed: until then an exit prints it (see executeRun). */
  printed(): void;
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
 * Opens the run (creating the experiment if needed), runs the user's code inside it and
 * closes it: `finished`, or `failed` with the error (a throw, an uncaught error or
 * unhandled rejection, or code left pending with nothing that could settle it). Resolves
 * with the run's summary; the error, if any, is in the outcome, not thrown.
 * `quietStdout` sends what the user's code prints to stdout to stderr instead, for the rest
 * of the process (`--json`).
 */
export async function executeRun(p: PreparedRun, opts: { quietStdout?: boolean } = {}): Promise<RunOutcome> {
  // Left in place to the end of the process: a user's own exit hook that prints must not
  // land after the JSON. The command writes its JSON straight to fd 1.
  if (opts.quietStdout) stdoutToStderr();
  return openAndRun(p, { json: opts.quietStdout });
}

/** Lets async plugin hooks (onRunFinish uploading a report, say) finish, up to `ms`. */
async function waitForPlugins(ms: number): Promise<void> {
  if (runtime.pluginWork.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled([...runtime.pluginWork]), timeout]);
  clearTimeout(timer);
}

async function openAndRun(p: PreparedRun, opts: { json?: boolean }): Promise<RunOutcome> {
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
  runtime.cliRun = run;
  runtime.cliConfig = p.config;
  runtime.cliBaseConfig = p.baseConfig;
  const saved = { argv: process.argv, dir: process.env.SCRYPTORUM_RUN_DIR, type: process.env.SCRYPTORUM_RUN_TYPE, started: process.env.SCRYPTORUM_RUN_STARTED_AT };
  // Child processes and Workers of the user's code attach to this run (and, by its start,
  // know it from the next trial in the same folder).
  process.env.SCRYPTORUM_RUN_DIR = run.dir;
  process.env.SCRYPTORUM_RUN_TYPE = run.type;
  process.env.SCRYPTORUM_RUN_STARTED_AT = run.info.started_at;
  process.argv = [process.execPath, p.file, ...p.userArgs];
  let error: unknown;
  // An uncaught error in the user's code fails the run as a throw does.
  const watch = watchUserCode();
  // The user's code may call process.exit(): the run is then closed by the library's exit
  // handler, and the summary is still printed, synchronously, as the process goes.
  // Kept until the command has printed the summary: an exit while plugins finish counts too.
  let printed = false;
  const onExit = () => {
    if (printed) return;
    printed = true;
    const summary = exp.runSummary(run.id);
    if (summary) writeAllSync(1, `${opts.json ? JSON.stringify({ ...summary, dir: run.dir }, null, 2) : formatRunSummary({ ...summary, dir: run.dir }).join("\n")}\n`);
  };
  process.on("exit", onExit);
  let signal: "SIGINT" | "SIGTERM" | undefined;
  let refused: unknown;
  try {
    if (p.mode === "module") await runModule(p.file, p.spec, p.exportName, run, config, watch);
    else await runScript(p.file, p.spec, run, watch);
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
    process.argv = saved.argv;
    restoreEnv("SCRYPTORUM_RUN_DIR", saved.dir);
    restoreEnv("SCRYPTORUM_RUN_TYPE", saved.type);
    restoreEnv("SCRYPTORUM_RUN_STARTED_AT", saved.started);
    runtime.cliRun = undefined;
    runtime.cliConfig = undefined;
    runtime.cliBaseConfig = undefined;
  }
  if (refused !== undefined) {
    printed = true;
    process.off("exit", onExit);
    throw refused;
  }
  const summary = exp.runSummary(run.id);
  if (!summary) throw new Error(`Failed to read run ${run.id} back from ${run.dir}`);
  if (error === undefined && run.status === "failed") error = new Error(run.info.error?.message ?? "the run was marked failed");
  const done = () => {
    printed = true;
    process.off("exit", onExit);
  };
  return { summary: { ...summary, dir: run.dir }, error, signal, printed: done };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
