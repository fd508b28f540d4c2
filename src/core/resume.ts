/**
 * Resuming a run: reopening an existing run folder (a milestone, or the trial without
 * emptying it) as this process's own, appending to its logs. Used by `scryptorum run
 * --resume <run-id>` and `Experiment.resumeRun()`. The run goes back to `running` (the
 * one way a run's status changes after it ended) and is marked again when this process
 * ends. A refused resume puts everything back as it was (`revertResume`).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "pathe";
import { UserError } from "./errors";
import { runDir, runFiles, runsDir } from "./layout";
import { Run, type RunMeta } from "./run";
import { writeJsonAtomic } from "./fsutil";
import { processStartTime, readRunJson, reportedStatus } from "./runfile";
import { acquireTrialLock, checkTrialLock, releaseTrialLock } from "./trial-lock";
import { TRIAL_RUN_ID, validateName } from "./validate";
import { redactArgv } from "./redact";

/** What a resumed run was before this process reopened it (to put it back on a refusal). */
interface ResumeState {
  meta: RunMeta;
  sizes: Record<string, number>;
}
const states = new WeakMap<Run, ResumeState>();

/**
 * Checks that a run can be resumed, writing nothing: it exists, it is not running
 * (a live process, or one on another host), no other trial holds the trial lock.
 * Returns its run.json.
 */
export function checkResume(projectRoot: string, experiment: string, runId: string): RunMeta {
  const id = validateName(runId, "run id");
  const dir = runDir(projectRoot, experiment, id);
  if (!existsSync(join(dir, "run.json"))) {
    throw new UserError(`--resume ${id}: run "${id}" does not exist in experiment "${experiment}": check the id with \`scryptorum list-runs ${experiment}\``);
  }
  const meta = readRunJson(dir);
  if (reportedStatus(meta) === "running") {
    const where = meta.hostname === hostname() ? `pid ${meta.pid}` : `pid ${meta.pid} on ${meta.hostname}`;
    throw new UserError(`--resume ${id}: run "${id}" is still running (${where}): wait for it to end (or stop it) before resuming`);
  }
  if (id === TRIAL_RUN_ID) checkTrialLock(runsDir(projectRoot, experiment), experiment);
  return meta;
}

/** Seconds a run had run: run.json's duration, else (a crash) up to its last record. */
function elapsedOf(meta: RunMeta, eventsFile: string): number {
  if (typeof meta.duration_seconds === "number") return meta.duration_seconds;
  const started = Date.parse(meta.started_at);
  const last = lastTimestamp(eventsFile);
  return Number.isFinite(started) && last !== undefined ? Math.max(0, (last - started) / 1000) : 0;
}

/** The timestamp of the last whole record of a JSONL file (reads only its tail). */
function lastTimestamp(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString("utf8").split("\n").reverse();
    for (const line of lines) {
      const m = /"timestamp":"([^"]+)"/.exec(line);
      if (m && line.trimEnd().endsWith("}")) return Date.parse(m[1]!);
    }
  } finally {
    closeSync(fd);
  }
  return undefined;
}

/**
 * Reopens a run as this process's own: status `running`, this pid, a `run_resumed` event;
 * the trial takes the trial lock and is not emptied; a milestone keeps its snapshot.
 */
export function resumeRun(projectRoot: string, experiment: string, runId: string, opts: { config?: Record<string, unknown>; argv?: string[] } = {}): Run {
  const before = checkResume(projectRoot, experiment, runId);
  const dir = runDir(projectRoot, experiment, before.run_id);
  const files = runFiles(dir);
  const lock = before.run_id === TRIAL_RUN_ID ? acquireTrialLock(runsDir(projectRoot, experiment), experiment) : undefined;
  try {
    const sizes: Record<string, number> = {};
    for (const f of [files.events, files.metrics, files.timings]) sizes[f] = existsSync(f) ? statSync(f).size : -1;
    // Resuming clears the "partial" mark of a budget stop (the evaluation says again if it stops).
    if (before.tags?.includes("partial")) writeJsonAtomic(join(dir, "run.json"), { ...before, tags: before.tags.filter((t) => t !== "partial") });
    const meta: RunMeta = { ...before, tags: (before.tags ?? []).filter((t) => t !== "partial"), status: "running", pid: process.pid, hostname: hostname(), pid_start: processStartTime(process.pid) };
    delete meta.finished_at;
    delete meta.duration_seconds;
    delete meta.error;
    if (opts.config) meta.config = opts.config;
    const resumes = Array.isArray(before.resumes) ? [...(before.resumes as unknown[])] : [];
    resumes.push({ at: new Date().toISOString(), argv: redactArgv(opts.argv ?? process.argv), previous_status: reportedStatus(before) });
    meta.resumes = resumes;
    const run = new Run({ dir, meta, owned: true, resumed: true, elapsedBefore: elapsedOf(before, files.events), onClose: lock ? () => releaseTrialLock(lock) : undefined });
    states.set(run, { meta: before, sizes });
    return run;
  } catch (error) {
    if (lock) releaseTrialLock(lock);
    throw error;
  }
}

/**
 * Puts a resumed run back exactly as it was before this process reopened it: its logs cut
 * back to their former length, its run.json restored. For a resume refused once the user's
 * code had started (the dataset or scorers changed): no earlier run is damaged.
 */
export function revertResume(run: Run): boolean {
  const state = states.get(run);
  if (!state) return false;
  states.delete(run);
  run.release();
  for (const [file, size] of Object.entries(state.sizes)) {
    if (size >= 0) truncateSync(file, size);
    else if (existsSync(file)) unlinkSync(file);
  }
  writeJsonAtomic(join(run.dir, "run.json"), state.meta);
  return true;
}
