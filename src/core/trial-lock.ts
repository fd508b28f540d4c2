/**
 * One trial at a time per experiment: `runs/.trial.lock` names the process whose trial is
 * open (pid, start time, host and a random token). Taking it is exclusive (O_EXCL). A lock
 * is stale, and broken under a second short lock, when its process is gone or its pid now
 * belongs to another process (a crash, a restarted container), when it names this thread
 * of this process but no trial of it holds it, or when it stayed empty or unreadable for a
 * few seconds (a crash or a full disk while it was being written). Another host's lock,
 * and another thread's of this process, count as held.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { join } from "pathe";
import { UserError } from "./errors";
import { ageMs, breakLockIf } from "./fsutil";
import { processAlive, processStartTime } from "./runfile";
import { runtime } from "./runtime";

interface Holder {
  pid: number;
  hostname: string;
  start?: string;
  token?: string;
  thread?: number;
}

const HOST = hostname();
const GRACE_MS = 5000;

export const trialLockPath = (runsDir: string) => join(runsDir, ".trial.lock");

function readHolder(path: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8")) as Holder;
    return holder && typeof holder.pid === "number" ? holder : undefined;
  } catch {
    return undefined; // gone, empty, or being written this instant
  }
}

/** True while the lock at `path` belongs to a trial that may still be running. */
function held(path: string, holder: Holder | undefined): boolean {
  if (!holder) return ageMs(path) < GRACE_MS;
  // Another host's process cannot be checked from here (a dev container on a bind mount,
  // say): taken as alive; the refusal names the file to delete if it is not.
  if (holder.hostname !== HOST) return true;
  if (holder.pid === process.pid) {
    // Another thread of this process (a Worker) may hold it: alive while the process is.
    if ((holder.thread ?? 0) !== threadId) return true;
    return holder.token !== undefined && runtime.trialTokens.has(holder.token);
  }
  return processAlive(holder.pid, holder.start);
}

function busy(name: string, path: string, holder: Holder | undefined): UserError {
  const who = holder ? ` (pid ${holder.pid})` : "";
  return new UserError(
    `a trial of experiment "${name}" is still running${who}: wait for it to end, or start a milestone with --milestone (if no trial is running, delete ${path})`,
  );
}

/** Throws when a live trial holds the lock; writes nothing. */
export function checkTrialLock(runsDir: string, name: string): void {
  const path = trialLockPath(runsDir);
  const holder = readHolder(path);
  if ((holder || ageMs(path) !== Infinity) && held(path, holder)) throw busy(name, path, holder);
}

/** Takes the trial lock for this process; returns its path (release it when the trial ends). */
export function acquireTrialLock(runsDir: string, name: string): string {
  const path = trialLockPath(runsDir);
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, hostname: HOST, start: processStartTime(process.pid), token, thread: threadId } satisfies Holder));
      } catch (error) {
        closeSync(fd);
        unlinkSync(path); // ours, half-written (a full disk): never leave it behind
        throw error;
      }
      closeSync(fd);
      runtime.trialTokens.add(token);
      return path;
    }
    const holder = readHolder(path);
    if (held(path, holder)) throw busy(name, path, holder);
    breakLockIf(path, () => !held(path, readHolder(path)), GRACE_MS);
  }
  throw busy(name, path, readHolder(path));
}

/** Releases the lock if this process's trial holds it. */
export function releaseTrialLock(path: string): void {
  const holder = readHolder(path);
  if (holder?.token !== undefined && runtime.trialTokens.has(holder.token)) {
    runtime.trialTokens.delete(holder.token);
    try {
      unlinkSync(path);
    } catch {}
  }
}
