/** Small synchronous file helpers shared by the core. */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";

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
