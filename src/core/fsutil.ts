/** Small synchronous file helpers shared by the core (and the layers above). */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";

/**
 * Creates `path` with JSON contents only if it does not exist yet, atomically: readers never
 * see it half-written, and of two processes racing, exactly one wins. Returns false when the
 * file already existed.
 */
export function createJsonExclusive(path: string, value: unknown): boolean {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new Error(`Failed to create ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
}

/** Parses a JSON file, or returns undefined when it does not exist. */
export function readJsonIfExists<T = Record<string, unknown>>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`Failed to parse ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** mkdir -p for several folders. */
export function ensureDirs(...dirs: string[]): void {
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Milliseconds since `path` was last modified; Infinity when it does not exist. */
export function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Removes `lockPath` when `isStale()` says so, under a mkdir guard so that of two processes
 * breaking it only one does (else the second could remove the first's fresh lock). A guard
 * older than `guardMs` was left by a process killed while breaking a lock.
 */
export function breakLockIf(lockPath: string, isStale: () => boolean, guardMs = 5000): void {
  const guard = `${lockPath}.break`;
  if (ageMs(guard) > guardMs && ageMs(guard) !== Infinity) {
    try {
      rmdirSync(guard);
    } catch {}
  }
  try {
    mkdirSync(guard);
  } catch {
    return; // someone else is breaking it: try again
  }
  try {
    if (isStale()) unlinkSync(lockPath);
  } catch {
    // gone meanwhile
  } finally {
    rmdirSync(guard);
  }
}

/**
 * Runs `fn` holding an exclusive lock file (O_EXCL), for short read-modify-write sections
 * shared by several processes. A lock older than `staleMs` (its holder died) is broken.
 */
export function withFileLock<T>(lockPath: string, fn: () => T, staleMs = 5000): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lockPath, "wx"));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const stale = () => ageMs(lockPath) > staleMs && ageMs(lockPath) !== Infinity;
      if (stale()) breakLockIf(lockPath, stale);
      if (Date.now() > deadline) throw new Error(`Failed to lock ${lockPath}: held for over 10 s; remove it if no scryptorum process is running`);
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {}
  }
}

/** Writes a JSON file so no reader ever sees it half-written: temp file, then rename. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new Error(`Failed to write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
