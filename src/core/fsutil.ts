/** Small synchronous file helpers shared by the core. */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";

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
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > staleMs) unlinkSync(lockPath);
      } catch {
        // gone meanwhile: try again
      }
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
