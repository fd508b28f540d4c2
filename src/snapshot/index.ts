/**
 * Milestone capture: the code as git sees it, the experiment's config and prompts, the
 * environment, and the uncommitted diff, all with secrets kept out. Synchronous, because
 * a milestone run is created synchronously (`exp.createRun(RunType.MILESTONE)`).
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "pathe";
import { runFiles } from "../core/layout.ts";
import { writeCodeSnapshot } from "./code.ts";
import { copyExperimentFiles } from "./copy.ts";
import { describeEnvironment } from "./environment.ts";
import { listSourceFiles } from "./files.ts";
import { diffAgainstHead, gitTopLevel, listUntracked, MAX_UNTRACKED_LISTED, readGitInfo, type GitInfo } from "./git.ts";
import { openStore } from "./store.ts";
import { UserError } from "../core/errors.ts";
import { registerMilestoneSnapshot } from "../core/milestone.ts";

export type { Exclusion } from "./policy.ts";
export type { SnapshotEntry } from "./code.ts";
export type { GitInfo } from "./git.ts";

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const STORE_DIR = ".store";

export interface SnapshotOptions {
  /** Milestone run folder, already created. */
  runDir: string;
  /** Project root (holds project.json); the content store lives in its `.store/`. */
  projectRoot: string;
  /** `<projectRoot>/experiments/<name>`; its config/ and prompts/ are copied. */
  experimentDir: string;
  /** The user's source tree to snapshot (see resolveSourceRoot). */
  sourceRoot: string;
  /** Experiments directory to leave out of the snapshot (may lie inside sourceRoot). */
  experimentsDir?: string;
  /** Files larger than this are left out; default 1 MiB. */
  maxFileBytes?: number;
  /** scryptorum version, for environment.json. */
  version: string;
  /** More environment variable names to record (secret-looking names are still refused). */
  extraEnvAllow?: string[];
}

export interface SnapshotResult {
  files: number;
  bytes: number;
  excluded: number;
  git?: GitInfo;
}

/**
 * Fills a milestone run folder: `code_snapshot/`, `snapshot_manifest.json`, `config/`,
 * `prompts/`, `environment.json` and, when the work tree is dirty, `git.diff`.
 *
 * @example
 * const result = captureMilestone({
 *   runDir: run.dir, projectRoot, experimentDir, version: "0.1.0",
 *   sourceRoot: resolveSourceRoot(process.cwd(), anchorDir),
 *   experimentsDir,
 * });
 * // { files: 120, bytes: 481230, excluded: 3, git: { commit: "3f2c…", branch: "main", dirty: true } }
 */
export function captureMilestone(opts: SnapshotOptions): SnapshotResult {
  const sourceRoot = resolve(opts.sourceRoot);
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const paths = runFiles(opts.runDir);
  const skip = skippedFolders(sourceRoot, opts);
  const inGit = gitTopLevel(sourceRoot);

  const listing = listSourceFiles(sourceRoot, inGit !== undefined, skip);
  ensureDir(paths.codeSnapshot);
  const code = writeCodeSnapshot({
    root: sourceRoot,
    files: listing.files,
    dest: paths.codeSnapshot,
    store: openStore(join(opts.projectRoot, STORE_DIR)),
    maxFileBytes,
  });

  let git: GitInfo | undefined;
  if (listing.fromGit) {
    git = readGitInfo(sourceRoot);
    const kept = new Set(code.entries.map((e) => e.path));
    // Deleted tracked files stay in the diff: the deletion is part of the state of the code.
    const diff = diffAgainstHead(sourceRoot, [...skip.keys()], (p) => kept.has(p) || !existsSync(join(sourceRoot, p)));
    const untracked = listUntracked(sourceRoot, [...skip.keys()]);
    if (diff || untracked) git.dirty = Boolean(diff?.dirty) || Boolean(untracked?.length);
    if (untracked) {
      git.untracked = untracked.slice(0, MAX_UNTRACKED_LISTED);
      git.untracked_count = untracked.length;
    }
    if (git.dirty && diff) writeOrFail(paths.gitDiff, gitDiffFile(diff.patch, diff.omitted, untracked?.length ?? 0));
  }

  const excluded = [...listing.excluded, ...code.excluded, ...copyExperimentFiles(opts.experimentDir, opts.runDir)];
  const packageDirs = inGit && resolve(inGit) !== sourceRoot ? [sourceRoot, inGit] : [sourceRoot];
  const environment = describeEnvironment({ version: opts.version, packageDirs, git, extraEnvAllow: opts.extraEnvAllow });
  writeOrFail(paths.environment, `${JSON.stringify(environment, null, 2)}\n`);

  const files = [...code.entries].sort(byPath);
  excluded.sort(byPath);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const manifest = {
    format: 1,
    source_root: sourceRoot,
    created_at: new Date().toISOString(),
    files,
    excluded,
    totals: { files: files.length, bytes, excluded: excluded.length },
  };
  writeOrFail(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return { files: files.length, bytes, excluded: excluded.length, ...(git ? { git } : {}) };
}

/**
 * git.diff: the patch, after `#` lines saying what it leaves out (git apply skips text
 * before the first `diff --git`, so the patch still applies).
 */
function gitDiffFile(patch: Buffer, omitted: readonly string[], untracked: number): Buffer {
  const notes = omitted.map((p) => `# ${p.replace(/[\r\n]/g, "?")}: diff omitted (holds secrets)\n`);
  if (untracked > 0) {
    const files = untracked === 1 ? "1 untracked file is" : `${untracked} untracked files are`;
    notes.push(`# ${files} not in this diff (listed in environment.json git.untracked)\n`);
  }
  return notes.length === 0 ? patch : Buffer.concat([Buffer.from(notes.join("")), patch]);
}

/**
 * Snapshot options a project sets in `.scryptorum`: `"snapshot": {"max_file_bytes": N}`.
 * Throws a UserError naming the field when the value is not a positive integer.
 *
 * @example
 * snapshotOptionsFromAnchor({ format: 1, project: "p", snapshot: { max_file_bytes: 5242880 } });
 * // { maxFileBytes: 5242880 }
 */
export function snapshotOptionsFromAnchor(anchor: Record<string, unknown> | undefined): { maxFileBytes?: number } {
  const snapshot = anchor?.snapshot;
  if (snapshot === undefined || snapshot === null) return {};
  if (typeof snapshot !== "object" || Array.isArray(snapshot)) {
    throw new UserError(`"snapshot" in .scryptorum must be an object such as {"max_file_bytes": 1048576}: fix or remove it`);
  }
  const max = (snapshot as Record<string, unknown>).max_file_bytes;
  if (max === undefined) return {};
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max <= 0) {
    throw new UserError(
      `snapshot.max_file_bytes in .scryptorum must be a positive whole number of bytes (got ${typeof max === "number" ? String(max) : JSON.stringify(max)}): set it to e.g. 1048576 for 1 MiB, or remove it for the default`,
    );
  }
  return { maxFileBytes: max };
}

/**
 * The source tree a milestone snapshots: `anchorDir` (the folder holding `.scryptorum`)
 * when given, else the git top level of `cwd`, else `cwd`.
 *
 * @example
 * resolveSourceRoot("/home/me/repo/src");          // "/home/me/repo" inside git
 * resolveSourceRoot("/anywhere", "/home/me/proj"); // "/home/me/proj"
 */
export function resolveSourceRoot(cwd: string, anchorDir?: string): string {
  if (anchorDir) return resolve(anchorDir);
  return gitTopLevel(resolve(cwd)) ?? resolve(cwd);
}

/** Folders of scryptorum's own data inside the source tree: snapshotting them would nest runs in runs. */
function skippedFolders(sourceRoot: string, opts: SnapshotOptions): Map<string, string> {
  const skip = new Map<string, string>();
  const candidates: Array<[string | undefined, string]> = [
    [opts.experimentsDir, "experiments directory"],
    [join(opts.projectRoot, "experiments"), "experiments directory"],
    [join(opts.projectRoot, STORE_DIR), "scryptorum store"],
    [opts.runDir, "experiments directory"],
  ];
  const realRoot = real(sourceRoot);
  for (const [dir, reason] of candidates) {
    if (!dir) continue;
    const rel = relative(realRoot, real(resolve(dir)));
    if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) continue;
    // An outer folder already covers anything inside it.
    if ([...skip.keys()].some((s) => rel.startsWith(`${s}/`))) continue;
    for (const s of [...skip.keys()]) if (s.startsWith(`${rel}/`)) skip.delete(s);
    skip.set(rel, reason);
  }
  return skip;
}

/** realpath when the path exists, so /tmp and /private/tmp (macOS) compare equal. */
function real(path: string): string {
  try {
    return resolve(realpathSync(path));
  } catch {
    return path;
  }
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new Error(`Failed to snapshot ${dir}: ${(cause as Error).message}`, { cause });
  }
}

function writeOrFail(file: string, content: string | Buffer): void {
  try {
    writeFileSync(file, content);
  } catch (cause) {
    throw new Error(`Failed to snapshot ${file}: ${(cause as Error).message}`, { cause });
  }
}


// Core's Experiment.createRun("milestone") calls the snapshot through this (core never imports it).
registerMilestoneSnapshot({
  maxFileBytes: (anchor) => snapshotOptionsFromAnchor(anchor).maxFileBytes,
  capture: ({ cwd, anchorDir, ...rest }) => void captureMilestone({ ...rest, sourceRoot: resolveSourceRoot(cwd, anchorDir) }),
});
