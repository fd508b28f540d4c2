/**
 * Copies the listed source files into `code_snapshot/` through the content store, leaving
 * out what cannot or must not be kept: oversized files, symlinks leaving the tree or
 * pointing at secrets, unreadable or vanished files.
 */
import { lstatSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { isAbsolute, join, relative } from "pathe";
import { classifyPath, type Exclusion } from "./policy.ts";
import { formatBytes } from "../units.ts";
import type { ContentStore } from "./store.ts";
import { redactFile } from "./redact-file.ts";

/** One snapshotted file, as listed in snapshot_manifest.json. */
export interface SnapshotEntry {
  path: string;
  size: number;
  sha256: string;
  /** Set when secret values in a config-like file were replaced by "[redacted]". */
  redacted?: true;
}

export interface CodeSnapshotOptions {
  /** The source tree, as given (relative paths in `files` are under it). */
  root: string;
  files: readonly string[];
  /** The `code_snapshot/` folder to fill. */
  dest: string;
  store: ContentStore;
  maxFileBytes: number;
}

const errorCode = (cause: unknown) => (cause as NodeJS.ErrnoException).code ?? String(cause);

/**
 * Fills `dest` with read-only copies of `files`. Folders inside it stay writable on
 * purpose: users delete old runs with `rm -r`, which needs write access to each folder.
 *
 * @example
 * writeCodeSnapshot({ root: "/repo", files: ["src/a.ts"], dest: "/run/code_snapshot", store, maxFileBytes: 1 << 20 });
 */
export function writeCodeSnapshot(opts: CodeSnapshotOptions): { entries: SnapshotEntry[]; excluded: Exclusion[] } {
  const entries: SnapshotEntry[] = [];
  const excluded: Exclusion[] = [];
  let realRoot: string | undefined;
  let listed: ReadonlySet<string> | undefined;
  const tooBig = (path: string, size: number) =>
    excluded.push({ path, reason: `over ${formatBytes(opts.maxFileBytes)} limit`, size });

  for (const rel of opts.files) {
    const abs = join(opts.root, rel);
    let stats: Stats;
    try {
      stats = lstatSync(abs);
    } catch (cause) {
      if (errorCode(cause) === "ENOENT") excluded.push({ path: rel, reason: "missing from work tree" });
      else excluded.push({ path: rel, reason: `unreadable: ${errorCode(cause)}` });
      continue;
    }
    if (stats.isSymbolicLink()) {
      realRoot ??= realpathSync(opts.root);
      listed ??= new Set(opts.files);
      const verdict = judgeSymlink(abs, realRoot, listed);
      if ("reason" in verdict) {
        excluded.push({ path: rel, reason: verdict.reason });
        continue;
      }
      stats = verdict.stats;
    }
    if (stats.isDirectory()) {
      excluded.push({ path: rel, reason: "git submodule" });
      continue;
    }
    if (!stats.isFile()) {
      excluded.push({ path: rel, reason: "not a regular file" });
      continue;
    }
    if (stats.size > opts.maxFileBytes) {
      tooBig(rel, stats.size);
      continue;
    }
    let content: Buffer;
    try {
      content = readFileSync(abs);
    } catch (cause) {
      excluded.push({ path: rel, reason: `unreadable: ${errorCode(cause)}` });
      continue;
    }
    if (content.length > opts.maxFileBytes) {
      tooBig(rel, content.length); // grew between stat and read
      continue;
    }
    // A config-like file (a `--config` file kept in the repo, say) with secrets in it is
    // stored redacted; every other file byte for byte.
    const redacted = redactFile(rel, content);
    if (redacted) content = redacted;
    const { sha256 } = opts.store.place(content, join(opts.dest, rel));
    entries.push(redacted ? { path: rel, size: content.length, sha256, redacted: true } : { path: rel, size: content.length, sha256 });
  }
  return { entries, excluded };
}

/**
 * A symlink is kept (as a plain copy of its target) only when its target is itself one of
 * the listed files: `notes.txt -> ../.ssh/id_rsa`, `cfg -> .env` or a link into a
 * gitignored folder must not smuggle out what the listing left out.
 */
function judgeSymlink(abs: string, realRoot: string, listed: ReadonlySet<string>): { stats: Stats } | { reason: string } {
  let target: string;
  try {
    target = realpathSync(abs);
  } catch {
    return { reason: "broken symlink" };
  }
  const rel = relative(realRoot, target);
  if (rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel)) {
    return { reason: "symlink outside source root" };
  }
  const secret = classifyPath(rel);
  if (secret) return { reason: `symlink to ${secret.reason}` };
  let stats: Stats;
  try {
    stats = statSync(target);
  } catch (cause) {
    return { reason: `unreadable: ${errorCode(cause)}` };
  }
  if (stats.isDirectory()) return { reason: "symlink to a folder" };
  if (!listed.has(rel)) return { reason: "symlink to a file left out of the snapshot" };
  return { stats };
}
