/**
 * One trial at a time per experiment: `runs/.trial.lock` holds the pid and host of the
 * process whose trial is open. Taking it is exclusive (O_EXCL); a lock whose process is
 * gone is broken under a second, short lock, so two processes racing to break it cannot
 * both win.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "pathe";
import { UserError } from "./errors";
import { pidAlive } from "./runfile";

interface Holder {
  pid: number;
  hostname: string;
}

const HOST = hostname();

export const trialLockPath = (runsDir: string) => join(runsDir, ".trial.lock");

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Holder;
  } catch {
    return undefined; // gone, or being written this instant
  }
}

/** True when the holder is a live process (on another host we cannot tell: assume alive). */
function alive(holder: Holder | undefined): boolean {
  if (!holder) return true;
  return holder.hostname !== HOST || pidAlive(holder.pid);
}

function busy(name: string, holder: Holder | undefined): UserError {
  const who = holder ? ` (pid ${holder.pid}${holder.hostname !== HOST ? ` on ${holder.hostname}` : ""})` : "";
  return new UserError(`a trial of experiment "${name}" is still running${who}: wait for it to end, or start a milestone with --milestone`);
}

/** Throws when a live process holds the trial lock; writes nothing. */
export function checkTrialLock(runsDir: string, name: string): void {
  const holder = readHolder(trialLockPath(runsDir));
  if (holder && alive(holder)) throw busy(name, holder);
}

/** Takes the trial lock for this process; returns its path (remove it when the trial ends). */
export function acquireTrialLock(runsDir: string, name: string): string {
  const path = trialLockPath(runsDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, hostname: HOST }));
      } finally {
        closeSync(fd);
      }
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(path);
    if (alive(holder)) throw busy(name, holder);
    breakStale(path);
  }
  throw busy(name, readHolder(path));
}

/** Removes a dead holder's lock, under a mkdir lock so that only one process breaks it. */
function breakStale(path: string): void {
  const guard = `${path}.break`;
  try {
    mkdirSync(guard);
  } catch {
    return; // someone else is breaking it: try again
  }
  try {
    const holder = readHolder(path);
    if (holder && !alive(holder)) unlinkSync(path);
  } catch {
    // already gone
  } finally {
    rmdirSync(guard);
  }
}

/** Releases the lock if this process holds it. */
export function releaseTrialLock(path: string): void {
  const holder = readHolder(path);
  if (holder && holder.pid === process.pid && holder.hostname === HOST) {
    try {
      unlinkSync(path);
    } catch {}
  }
}
