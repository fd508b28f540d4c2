/**
 * An experiment: its folder, creating runs (trial reset under the trial lock, milestone ids
 * and their snapshot through core/milestone.ts), attaching to a run, and listing runs.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "pathe";
import { UserError } from "./errors";
import { createJsonExclusive, ensureDirs, readJsonIfExists } from "./fsutil";
import { lastMetricValues } from "./metrics";
import { EXPERIMENT_SUBDIRS, MILESTONE_SUBDIRS, experimentDir, experimentFile, milestoneId, projectFile, runDir, runFiles, runsDir } from "./layout";
import { Project } from "./project";
import { Run, newRunMeta, type RunTypeName } from "./run";
import { checkFormat, readRunJson, reportedStatus, type ReportedStatus } from "./runfile";
import { acquireTrialLock, checkTrialLock, releaseTrialLock } from "./trial-lock";
import { resumeRun } from "./resume";
import { TRIAL_RUN_ID, validateName, validateRunId } from "./validate";
import { hostname } from "node:os";
import { milestoneSnapshot } from "./milestone";
import { VERSION } from "./version";

/** One entry of `listRuns()`. */
export interface RunSummary {
  run_id: string;
  run_type: RunTypeName;
  status: ReportedStatus;
  started_at: string;
  finished_at?: string;
  duration_seconds?: number;
  metrics: Record<string, unknown>;
  tags: string[];
  note?: string;
  /** A run pulled from a team bucket: the remote and the hosts that wrote it. */
  origin?: { remote: string; hosts: string[] };
}

export interface CreateRunOptions {
  config?: Record<string, unknown>;
  argv?: string[];
  tags?: string[];
  note?: string;
  /** Working directory whose source tree a milestone snapshots (default: process.cwd()). */
  cwd?: string;
  /** Snapshot files larger than this are left out (default: `.scryptorum` snapshot.max_file_bytes, else 1 MiB). */
  maxFileBytes?: number;
}

/**
 * An experiment of a project. The constructor creates its folders when missing.
 *
 * @example
 * const exp = new Experiment(projectRoot, "sentiment");
 * const run = exp.createRun(RunType.MILESTONE, "v1");
 */
export class Experiment {
  readonly project: Project;
  readonly name: string;
  readonly dir: string;

  constructor(project: string | Project, name: string, opts: { create?: boolean } = {}) {
    this.name = validateName(name, "experiment name");
    // A project root given as a string is taken as it is (no `.scryptorum` settings), as before;
    // a folder without project.json becomes a project (contract §4).
    this.project = typeof project !== "string" ? (project ?? Project.open()) : existsSync(projectFile(resolve(project))) ? new Project(resolve(project)) : Project.open(project);
    this.dir = experimentDir(this.project.root, this.name);
    if (opts.create === false) {
      if (!existsSync(experimentFile(this.project.root, this.name))) {
        throw new UserError(`experiment "${this.name}" does not exist in ${this.project.root}: create it with \`scryptorum create-experiment ${this.name}\``);
      }
    } else {
      this.ensure();
    }
  }

  /**
   * The experiment's own config, `config/config.json` (as `create-experiment` writes it):
   * the base that a wrapper's `config` and `--config` are merged over. `{}` when missing.
   *
   * @example
   * Experiment.readConfig(project.root, "sentiment"); // { model: "gpt-4o-mini", temperature: 0 }
   */
  static readConfig(projectRoot: string, name: string): Record<string, unknown> {
    const path = join(experimentDir(projectRoot, validateName(name, "experiment name")), "config", "config.json");
    let value: unknown;
    try {
      value = readJsonIfExists(path);
    } catch (error) {
      throw new UserError(`${path} cannot be read as JSON (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}): fix it, or delete it`, { cause: error });
    }
    if (value === undefined) return {};
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new UserError(`${path} must hold a JSON object, like {"model": "gpt-4o-mini"}: fix it, or delete it`);
    return value as Record<string, unknown>;
  }

  /** True when the experiment's folder exists (has experiment.json). */
  static exists(projectRoot: string, name: string): boolean {
    return existsSync(experimentFile(projectRoot, validateName(name, "experiment name")));
  }

  /** Creates the folders and experiment.json if missing; returns false when it already existed. */
  ensure(description?: string): boolean {
    ensureDirs(...EXPERIMENT_SUBDIRS.map((d) => join(this.dir, d)));
    const info: Record<string, unknown> = { name: this.name, created_at: new Date().toISOString() };
    if (description) info.description = description;
    return createJsonExclusive(experimentFile(this.project.root, this.name), info);
  }

  get runsDir(): string {
    return runsDir(this.project.root, this.name);
  }

  /**
   * Checks that a run could be created, writing nothing: a bad or existing milestone id,
   * a run id on a trial, a trial already running.
   */
  checkNewRun(type: RunTypeName, runId?: string): void {
    Experiment.checkNewRun(this.project.root, this.name, type, runId);
  }

  /** The same check for an experiment that may not exist yet. */
  static checkNewRun(projectRoot: string, name: string, type: RunTypeName, runId?: string): void {
    validateName(name, "experiment name");
    if (type !== "trial" && type !== "milestone") throw new UserError(`run type "${type}" is not valid: use "trial" or "milestone"`);
    if (type === "trial") {
      if (runId !== undefined) throw new UserError("a run id is only for milestone runs: add --milestone, or drop --run-id");
      checkTrialLock(runsDir(projectRoot, name), name);
      assertNoLiveTrial(runDir(projectRoot, name, TRIAL_RUN_ID), name);
    } else if (runId !== undefined) {
      validateRunId(runId);
      if (existsSync(runDir(projectRoot, name, runId))) {
        throw new UserError(`run "${runId}" already exists in experiment "${name}": choose another --run-id`);
      }
    }
  }

  /**
   * Starts a run. A trial empties and reuses `runs/trial_run/`; a milestone gets a new folder
   * (`runId`, else `ms-YYYYMMDD-HHMMSS` made unique) and a snapshot of code, config, prompts
   * and environment.
   */
  createRun(type: RunTypeName = "trial", runId?: string, opts: CreateRunOptions = {}): Run {
    // Read before any folder exists, so a bad .scryptorum value leaves no failed run behind.
    const maxFileBytes = type === "milestone" ? (opts.maxFileBytes ?? milestoneSnapshot().maxFileBytes(this.project.anchor)) : undefined;
    this.checkNewRun(type, runId);
    // A trial takes the experiment's trial lock before it touches trial_run/.
    const lock = type === "trial" ? acquireTrialLock(this.runsDirEnsured(), this.name) : undefined;
    let dir: string | undefined;
    let run: Run;
    try {
      if (lock) assertNoLiveTrial(runDir(this.project.root, this.name, TRIAL_RUN_ID), this.name);
      dir = lock ? this.resetTrial() : this.createMilestoneDir(runId);
      const id = dir.slice(dir.lastIndexOf("/") + 1);
      if (type === "milestone") ensureDirs(...MILESTONE_SUBDIRS.filter((d) => d !== "code_snapshot").map((d) => join(dir!, d)));
      run = new Run({
        dir,
        owned: true,
        onClose: lock ? () => releaseTrialLock(lock) : undefined,
        meta: newRunMeta({
          runId: id,
          runType: type,
          experiment: this.name,
          project: this.project.name,
          config: opts.config,
          argv: opts.argv,
          tags: opts.tags,
          note: opts.note,
        }),
      });
    } catch (error) {
      // Nothing half-made stays behind: no lock, no milestone folder without a run.json.
      if (lock) releaseTrialLock(lock);
      if (dir && type === "milestone") rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    if (type === "milestone") {
      try {
        const cwd = opts.cwd ?? process.cwd();
        milestoneSnapshot().capture({
          runDir: dir,
          projectRoot: this.project.root,
          experimentDir: this.dir,
          cwd,
          anchorDir: this.project.anchorDir,
          experimentsDir: this.project.anchorDir ? dirname(this.project.root) : this.project.root,
          version: VERSION,
          maxFileBytes,
        });
      } catch (error) {
        run.fail(error);
        throw error;
      }
    }
    return run;
  }

  /**
   * Attaches to an existing run (from a worker process, say): appends to its logs; its
   * `finish()` only flushes.
   */
  openRun(runId: string): Run {
    const id = validateName(runId, "run id");
    const dir = runDir(this.project.root, this.name, id);
    if (!existsSync(join(dir, "run.json"))) {
      throw new UserError(`run "${id}" does not exist in experiment "${this.name}": check the id with \`scryptorum list-runs ${this.name}\``);
    }
    return new Run({ dir, owned: false, meta: readRunJson(dir) });
  }

  /**
   * Reopens a finished, failed, interrupted or crashed run as this process's own, to add
   * what it is missing (`evaluate()` then runs only the cases without a result). A trial
   * is not emptied. See `scryptorum run --resume`.
   *
   * @example
   * const run = exp.resumeRun("ms-20260101-120000");
   */
  resumeRun(runId: string, opts: { config?: Record<string, unknown>; argv?: string[] } = {}): Run {
    return resumeRun(this.project.root, this.name, runId, opts);
  }

  /** Every run with its status (`crashed` detected) and the last value of each metric, oldest first. */
  listRuns(): RunSummary[] {
    const base = this.runsDir;
    if (!existsSync(base)) return [];
    const out: RunSummary[] = [];
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      // Plain concatenation: `base` is normalised and a run id is one safe segment, and
      // pathe's join was a quarter of this loop on 10,000 runs (profiled).
      const dir = `${base}/${entry.name}`;
      const file = `${dir}/run.json`;
      let meta: any;
      try {
        meta = readJsonIfExists(file);
      } catch (error) {
        // A damaged run.json must not make the run vanish unnoticed (list-experiments counts it).
        const why = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
        process.stderr.write(`[warn] ${file} cannot be read (${why}); run "${entry.name}" is left out of the list\n`);
        continue;
      }
      if (!meta) continue;
      if (typeof meta !== "object" || Array.isArray(meta)) {
        process.stderr.write(`[warn] ${file} does not hold a JSON object; run "${entry.name}" is left out of the list\n`);
        continue;
      }
      try {
        checkFormat(meta.format, file, meta.scryptorum_version);
      } catch (error) {
        // One run from a newer version must not hide the others: leave it out, say why.
        process.stderr.write(`[warn] ${(error as Error).message}; it is left out of the list\n`);
        continue;
      }
      out.push(summarize(dir, meta));
    }
    return out.sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : a.run_id.localeCompare(b.run_id)));
  }

  /** One run's `listRuns()` entry, reading only that run (undefined when it has no run.json). */
  runSummary(runId: string): RunSummary | undefined {
    const dir = runDir(this.project.root, this.name, validateName(runId, "run id"));
    const meta = readJsonIfExistsQuiet(join(dir, "run.json"));
    if (!meta) return undefined;
    checkFormat(meta.format, join(dir, "run.json"), meta.scryptorum_version);
    return summarize(dir, meta);
  }

  private runsDirEnsured(): string {
    mkdirSync(this.runsDir, { recursive: true });
    return this.runsDir;
  }

  private resetTrial(): string {
    const dir = runDir(this.project.root, this.name, TRIAL_RUN_ID);
    mkdirSync(this.runsDir, { recursive: true });
    if (existsSync(dir)) {
      // Move it aside first (atomic), then delete: a crash mid-delete leaves a hidden folder,
      // never a half-emptied trial_run.
      const trash = join(this.runsDir, `.trash-${process.pid}-${Date.now()}`);
      try {
        renameSync(dir, trash);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      rmSync(trash, { recursive: true, force: true });
    }
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new UserError(`another trial of experiment "${this.name}" started at the same moment: wait for it to end`);
      }
      throw error;
    }
    return dir;
  }

  private createMilestoneDir(runId?: string): string {
    mkdirSync(this.runsDir, { recursive: true });
    if (runId !== undefined) {
      const dir = runDir(this.project.root, this.name, runId);
      try {
        mkdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          throw new UserError(`run "${runId}" already exists in experiment "${this.name}": choose another --run-id`);
        }
        throw error;
      }
      return dir;
    }
    const base = milestoneId(new Date());
    for (let n = 1; ; n++) {
      const dir = runDir(this.project.root, this.name, n === 1 ? base : `${base}-${n}`);
      try {
        mkdirSync(dir); // exclusive: of two runs started in the same second, each gets its own
        return dir;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  }
}

function summarize(dir: string, meta: any): RunSummary {
  const summary: RunSummary = {
    run_id: meta.run_id,
    run_type: meta.run_type,
    status: reportedStatus(meta),
    started_at: meta.started_at,
    finished_at: meta.finished_at,
    duration_seconds: meta.duration_seconds,
    metrics: meta.metrics_summary ?? lastMetricValues(runFiles(dir).metrics),
    tags: meta.tags ?? [],
  };
  if (meta.note !== undefined) summary.note = meta.note;
  if (meta.origin) summary.origin = { remote: meta.origin.remote, hosts: meta.origin.hosts };
  return summary;
}

/** A trial started by a version without the lock, still running: its run.json says so. */
function assertNoLiveTrial(dir: string, name: string) {
  const meta = readJsonIfExistsQuiet(join(dir, "run.json"));
  if (meta && reportedStatus(meta) === "running") {
    throw new UserError(
      `a trial of experiment "${name}" is still running (pid ${meta.pid}): wait for it to end, or start a milestone with --milestone`,
    );
  }
}

function readJsonIfExistsQuiet(path: string): any {
  try {
    return readJsonIfExists(path);
  } catch {
    return undefined;
  }
}

