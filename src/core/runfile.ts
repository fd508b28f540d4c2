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

/** Status as readers report it: run.json's, or `crashed` for a running run whose process died. */
export type ReportedStatus = RunMeta["status"] | "crashed";

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

/**
 * The status to report: `crashed` for a `running` run written on this host whose pid is
 * no longer alive; otherwise run.json's own.
 */
export function reportedStatus(meta: Pick<RunMeta, "status" | "pid" | "hostname">): ReportedStatus {
  if (meta.status === "running" && meta.hostname === HOST && !pidAlive(meta.pid)) return "crashed";
  return meta.status;
}
