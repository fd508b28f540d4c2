/**
 * run.json: its type, the object a new run starts with, reading it (refusing a newer
 * format), writing it under its lock, and the status readers report (`crashed` for a dead
 * writer).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "pathe";
import { FORMAT } from "./layout";
import { UserError } from "./errors";
import { VERSION } from "./version";
import { withFileLock, writeJsonAtomic } from "./fsutil";
import { redactArgv } from "./redact";
import type { RecordError } from "./records";

export type RunTypeName = "trial" | "milestone";
export type RunStatus = "running" | "finished" | "failed" | "interrupted";

/** The run types. */
export const RunType = { TRIAL: "trial", MILESTONE: "milestone" } as const;

/** An error as run.json records it (the one record error shape). */
export type RunError = RecordError;

/** The contents of run.json. */
export interface RunMeta {
  format: number;
  run_id: string;
  run_type: RunTypeName;
  experiment: string;
  project: string;
  status: RunStatus;
  started_at: string;
  finished_at?: string;
  duration_seconds?: number;
  pid: number;
  hostname: string;
  argv: string[];
  config: Record<string, unknown>;
  tags: string[];
  note?: string;
  metrics_summary?: Record<string, unknown>;
  scryptorum_version: string;
  error?: RunError;
  [extra: string]: unknown;
}

/**
 * Status as readers report it: run.json's, `crashed` for a running run whose process died,
 * or `stale` for a running run pulled from a team bucket whose writers stopped pushing.
 */
export type ReportedStatus = RunMeta["status"] | "crashed" | "stale";

/**
 * Reads and checks a run folder's run.json. Refuses a format newer than this version knows.
 *
 * @example
 * readRunJson("experiments/demo/runs/v1").status; // "finished"
 */
export function readRunJson(dir: string): RunMeta {
  const path = join(dir, "run.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let meta: RunMeta;
  try {
    meta = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}): the run's record is damaged; fix it, or delete the run's folder`, { cause: error });
  }
  checkFormat(meta?.format, path, meta?.scryptorum_version);
  return meta;
}

/**
 * Throws (a user error: exit 2 from the CLI) when a file was written by a newer
 * scryptorum format, naming the version that wrote it when the file says.
 */
export function checkFormat(format: unknown, path: string, writtenBy?: unknown): void {
  if (typeof format === "number" && format > FORMAT) {
    const writer = typeof writtenBy === "string" ? `scryptorum ${writtenBy}` : "a newer scryptorum";
    throw new UserError(`${path} was written by ${writer} (format ${format}; this is scryptorum ${VERSION}, format ${FORMAT}): upgrade scryptorum to read it`);
  }
}

const HOST = hostname();

/** True when the process is gone (ESRCH); a process we may not signal (EPERM) is alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

let bootId: string | undefined | null = null;

/**
 * When a process started, as `<boot id>:<start ticks>` (Linux, from /proc), so a pid the
 * OS gave to a new process (after a crash, in a restarted container) is not taken for the
 * one that wrote a run. Undefined where /proc cannot tell.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    if (bootId === null) {
      try {
        bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
      } catch {
        bootId = undefined;
      }
    }
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm) " start at field 3; the start time is field 22.
    const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return ticks === undefined ? undefined : `${bootId ?? "?"}:${ticks}`;
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat[stat.lastIndexOf(")") + 2];
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

/** True when `pid` is alive and, where both are known, started when `start` says. */
export function processAlive(pid: number, start?: unknown): boolean {
  if (!pidAlive(pid)) return false;
  if (isZombie(pid)) return false; // killed, not yet reaped by its parent: gone all the same
  if (typeof start !== "string") return true;
  const now = processStartTime(pid);
  return now === undefined || now === start;
}

/**
 * The status to report: `crashed` for a `running` run written on this host whose process
 * is gone (or whose pid now belongs to another process); otherwise run.json's own.
 */
export function reportedStatus(meta: Pick<RunMeta, "status" | "pid" | "hostname"> & { pid_start?: unknown; origin?: unknown }): ReportedStatus {
  // A pulled run's pid lives on another machine: its writers' last push is all we know.
  const origin = meta.origin as { heartbeat_at?: unknown; stale_after_seconds?: unknown } | undefined;
  if (meta.status === "running" && origin && typeof origin.heartbeat_at === "string") {
    const after = typeof origin.stale_after_seconds === "number" ? origin.stale_after_seconds : 300;
    return Date.now() - Date.parse(origin.heartbeat_at) > after * 1000 ? "stale" : "running";
  }
  if (meta.status === "running" && meta.hostname === HOST && !processAlive(meta.pid, meta.pid_start)) return "crashed";
  return meta.status;
}

/** The run.json object a new run starts with. */
export function newRunMeta(init: {
  runId: string;
  runType: RunTypeName;
  experiment: string;
  project: string;
  config?: Record<string, unknown>;
  argv?: string[];
  tags?: string[];
  note?: string;
}): RunMeta {
  const meta: RunMeta = {
    format: FORMAT,
    run_id: init.runId,
    run_type: init.runType,
    experiment: init.experiment,
    project: init.project,
    status: "running",
    started_at: new Date().toISOString(),
    pid: process.pid,
    hostname: HOST,
    pid_start: processStartTime(process.pid),
    argv: redactArgv(init.argv ?? process.argv),
    config: init.config ?? {},
    tags: [...(init.tags ?? [])],
    scryptorum_version: VERSION,
  };
  if (init.note !== undefined) meta.note = init.note;
  return meta;
}

/**
 * Writes run.json for the process that owns the run, under the run.json lock, so that tags
 * and notes added by attached processes (read-modify-write) and the owner's writes never
 * undo each other: the owner keeps the tags and note it finds on disk (merged into `meta`).
 * `toDisk` makes the object written (the config redacted).
 */
export function writeOwnedRunJson(dir: string, meta: RunMeta, toDisk: (meta: RunMeta) => RunMeta): void {
  const path = join(dir, "run.json");
  withFileLock(`${path}.lock`, () => {
    let onDisk: RunMeta | undefined;
    try {
      onDisk = readRunJson(dir);
    } catch {
      onDisk = undefined; // not written yet
    }
    if (onDisk) {
      meta.tags = [...new Set([...(onDisk.tags ?? []), ...meta.tags])];
      if (meta.note === undefined && onDisk.note !== undefined) meta.note = onDisk.note;
    }
    writeJsonAtomic(path, toDisk(meta));
  });
}

/** An attached process adds its tags and note to run.json under the lock; it never writes the status. */
export function addToRunJson(dir: string, tags: readonly string[], note: string | undefined): void {
  const path = join(dir, "run.json");
  withFileLock(`${path}.lock`, () => {
    const onDisk = readRunJson(dir);
    onDisk.tags = [...new Set([...(onDisk.tags ?? []), ...tags])];
    if (note !== undefined) onDisk.note = note;
    writeJsonAtomic(path, onDisk);
  });
}
