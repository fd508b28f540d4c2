/**
 * Copies an experiment's `config/` and `prompts/` into a milestone. Config files pass
 * through the secrets policy on the way (prompts are the experiment itself and are kept
 * byte for byte); secret-named files are left out of both.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative } from "pathe";
import { classifyPath, type Exclusion } from "./policy.ts";
import { isConfigLike, redactFile } from "./redact-file.ts";

/**
 * Copies `experimentDir/config` and `experimentDir/prompts` into `runDir`, returning what
 * was left out (paths prefixed `config/` or `prompts/`).
 *
 * @example
 * copyExperimentFiles("/proj/experiments/qa", "/proj/experiments/qa/runs/ms-20260101-120000");
 */
export function copyExperimentFiles(experimentDir: string, runDir: string): Exclusion[] {
  const excluded: Exclusion[] = [];
  for (const kind of ["config", "prompts"] as const) {
    const from = join(experimentDir, kind);
    let realFrom: string;
    try {
      if (!statSync(from).isDirectory()) continue;
      realFrom = realpathSync(from);
    } catch {
      continue; // an experiment without config/ or prompts/ is fine
    }
    copyTree(from, realFrom, join(runDir, kind), kind, kind === "config", excluded);
  }
  return excluded;
}

function copyTree(from: string, realRoot: string, to: string, rel: string, redact: boolean, excluded: Exclusion[]): void {
  let entries;
  try {
    mkdirSync(to, { recursive: true });
    entries = readdirSync(from, { withFileTypes: true });
  } catch (cause) {
    throw snapshotError(from, cause);
  }
  for (const entry of entries) {
    const path = `${rel}/${entry.name}`;
    const src = join(from, entry.name);
    const secret = classifyPath(entry.name, entry.isDirectory());
    if (secret) {
      excluded.push({ path, reason: secret.reason });
      continue;
    }
    if (entry.isDirectory()) {
      copyTree(src, realRoot, join(to, entry.name), path, redact, excluded);
      continue;
    }
    if (entry.isSymbolicLink()) {
      const reason = symlinkProblem(src, realRoot);
      if (reason) {
        excluded.push({ path, reason });
        continue;
      }
    } else if (!entry.isFile()) {
      excluded.push({ path, reason: "not a regular file" });
      continue;
    }
    const dest = join(to, entry.name);
    try {
      const redacted = redact && isConfigLike(src) ? redactFile(src, readFileSync(src)) : undefined;
      if (redacted) writeFileSync(dest, redacted);
      else copyFileSync(src, dest);
    } catch (cause) {
      throw snapshotError(src, cause);
    }
  }
}

/** A config symlink could point at ~/.aws/credentials: only files inside the folder are followed. */
function symlinkProblem(src: string, realRoot: string): string | undefined {
  let target: string;
  try {
    target = realpathSync(src);
  } catch {
    return "broken symlink";
  }
  const rel = relative(realRoot, target);
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return "symlink outside its folder";
  const secret = classifyPath(rel);
  if (secret) return `symlink to ${secret.reason}`;
  try {
    return statSync(target).isFile() ? undefined : "symlink to a folder";
  } catch {
    return "broken symlink";
  }
}

function snapshotError(path: string, cause: unknown): Error {
  return new Error(`Failed to snapshot ${path}: ${(cause as Error).message}`, { cause });
}
