/**
 * Reading run.json, and the status readers report (`crashed` for a dead writer).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "pathe";
import { FORMAT } from "./layout";
import { UserError } from "./errors";
import { VERSION } from "../version";
import type { RunMeta } from "./run";

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
