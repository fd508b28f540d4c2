/**
 * Everything asked of git, through a handful of synchronous spawns (never one per file).
 * Any failure reads as "not a git repo" or "unknown": a snapshot must not fail for lack of git.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "pathe";
import { redactUrlCredentials } from "../core/redact.ts";
import { classifyPath, excludePathspecs } from "./policy.ts";
import { isConfigLike, redactFile } from "./redact-file.ts";

/** What environment.json and the run summary record about the work tree. */
export interface GitInfo {
  commit?: string;
  branch?: string;
  dirty?: boolean;
  remote?: string;
  /** Untracked, not ignored files (first 1000, sorted): in the snapshot, not in the commit. */
  untracked?: string[];
  /** How many untracked files there are in all. */
  untracked_count?: number;
}

/** How many untracked paths environment.json lists; the count is always whole. */
export const MAX_UNTRACKED_LISTED = 1000;

// Large enough for ls-files of a big monorepo and a binary diff of snapshotted files.
const MAX_BUFFER = 512 * 1024 * 1024;
// Long pathspec lists are split so the command line stays far below ARG_MAX.
const PATHSPEC_CHUNK = 500;

function git(cwd: string, args: string[], input?: string): Buffer | undefined {
  const result = spawnSync("git", args, {
    cwd,
    input,
    maxBuffer: MAX_BUFFER,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "ignore"],
    // Optional locks off: a snapshot must not take index.lock from under the user's own git.
    env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0" },
  });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout;
}

function gitText(cwd: string, args: string[]): string | undefined {
  const out = git(cwd, args)?.toString("utf8").trim();
  return out === "" ? undefined : out;
}

function splitNul(buf: Buffer | undefined): string[] {
  if (!buf || buf.length === 0) return [];
  return buf.toString("utf8").split("\0").filter((p) => p !== "");
}

export { gitTopLevel } from "../core/git.ts";

/**
 * Files of `dir` as git sees them (tracked plus untracked-not-ignored), relative to `dir`,
 * `/`-separated, without the `skip` folders (relative to `dir`).
 *
 * @example
 * listGitFiles("/repo", ["experiments"]); // ["README.md", "src/index.ts", ...]
 */
export function listGitFiles(dir: string, skip: readonly string[]): string[] | undefined {
  // Secrets are not pathspec-excluded here: the caller lists each one in the manifest.
  const specs = [".", ...skip.map((s) => `:(exclude,literal)${s}`)];
  const out = git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...specs]);
  if (!out) return undefined;
  // Unmerged paths appear once per stage.
  return [...new Set(splitNul(out))];
}

/**
 * Untracked files git does not ignore, relative to `dir`, without the `skip` folders and
 * without what the secrets policy leaves out (`.env`, `node_modules/`): the files that make
 * a snapshot differ from its commit even when no tracked file changed.
 *
 * @example
 * listUntracked("/repo", ["experiments"]); // ["notes.md", "src/new.ts"]
 */
export function listUntracked(dir: string, skip: readonly string[]): string[] | undefined {
  const specs = [".", ...skip.map((s) => `:(exclude,literal)${s}`)];
  const out = git(dir, ["ls-files", "-z", "--others", "--exclude-standard", "--", ...specs]);
  if (!out) return undefined;
  return splitNul(out).filter((p) => !classifyPath(p)).sort();
}

/**
 * Commit, branch and remote of the work tree at `dir`; `dirty` is filled by diffAgainstHead.
 *
 * @example
 * readGitInfo("/repo"); // { commit: "3f2c…", branch: "main", remote: "https://github.com/o/r.git" }
 */
export function readGitInfo(dir: string): GitInfo {
  const info: GitInfo = {};
  const commit = gitText(dir, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]);
  if (commit) info.commit = commit;
  const branch = gitText(dir, ["symbolic-ref", "--short", "-q", "HEAD"]);
  if (branch) info.branch = branch;
  let remote = gitText(dir, ["config", "--get", "remote.origin.url"]);
  if (!remote) {
    const first = gitText(dir, ["remote"])?.split("\n")[0];
    if (first) remote = gitText(dir, ["config", "--get", `remote.${first}.url`]);
  }
  if (remote) info.remote = stripUrlCredentials(remote);
  return info;
}

/**
 * Removes credentials from a remote URL: `https://user:token@host/x` -> `https://host/x`.
 * Over http(s) a bare user-info is a token too; over ssh (`ssh://git@host/r`,
 * `git@host:o/r.git`) it is a login name, kept unless a password follows it.
 *
 * @example
 * stripUrlCredentials("https://bob:hunter2@example.com/r.git"); // "https://example.com/r.git"
 */
export function stripUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (whole, scheme: string, userInfo: string) =>
    /^(https?|ftps?):/i.test(scheme) || userInfo.includes(":") ? scheme : whole);
}

/**
 * The work tree's changes against HEAD (or the empty tree before the first commit) for
 * the files in `keep`, as a binary-safe patch relative to `dir` with URL credentials
 * redacted. `dirty` counts tracked changes anywhere in `dir` outside `skip`, secret files
 * included, though no secret file is ever shown. A config-like file (redact-file.ts) whose
 * old or new version holds a secret value is left out of the patch whole, its path in
 * `omitted`: hunks redacted line by line would no longer apply, and the rest must.
 *
 * @example
 * const { dirty, patch, omitted } = diffAgainstHead("/repo", ["experiments"], (p) => snapshotted.has(p));
 */
export function diffAgainstHead(
  dir: string,
  skip: readonly string[],
  keep: (path: string) => boolean,
): { dirty: boolean; patch: Buffer; omitted: string[] } | undefined {
  const commit = gitText(dir, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]);
  const base = commit ?? gitText(dir, ["hash-object", "-t", "tree", "--stdin"]);
  if (!base) return undefined;
  const skipSpecs = skip.map((s) => `:(exclude,literal)${s}`);
  const common = ["diff", base, "--relative", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color"];
  const changed = git(dir, [...common, "--name-only", "-z", "--", ".", ...skipSpecs]);
  if (!changed) return undefined;
  const names = splitNul(changed);
  const candidates = names.filter((p) => !classifyPath(p) && keep(p));
  const secretive = holdingSecrets(dir, commit, candidates.filter(isConfigLike));
  const shown = candidates.filter((p) => !secretive.has(p));
  const parts: Buffer[] = [];
  for (let i = 0; i < shown.length; i += PATHSPEC_CHUNK) {
    const specs = shown.slice(i, i + PATHSPEC_CHUNK).map((p) => `:(literal)${p}`);
    const patch = git(dir, [
      ...common, "--binary", "--src-prefix=a/", "--dst-prefix=b/", "--", ...specs, ...excludePathspecs(),
    ]);
    if (patch === undefined) return undefined;
    // latin1 maps bytes 1:1, so non-UTF-8 file contents survive the text redaction intact.
    parts.push(Buffer.from(redactUrlCredentials(patch.toString("latin1")), "latin1"));
  }
  return { dirty: names.length > 0, patch: Buffer.concat(parts), omitted: [...secretive].sort() };
}

/**
 * The config-like `paths` whose work-tree or committed version redaction would change.
 * The committed versions come from one `git cat-file --batch`, not one spawn per file.
 */
function holdingSecrets(dir: string, commit: string | undefined, paths: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const p of paths) {
    let content: Buffer | undefined;
    try {
      content = readFileSync(join(dir, p));
    } catch {
      // deleted in the work tree: only the committed version can tell
    }
    if (content && redactFile(p, content)) found.add(p);
  }
  const unread = paths.filter((p) => !found.has(p));
  if (!commit || unread.length === 0) return found;
  // A path with a line break cannot be asked for in batch mode: treat it as secret.
  const askable = unread.filter((p) => (/[\r\n]/.test(p) ? (found.add(p), false) : true));
  const out = git(dir, ["cat-file", "--batch"], askable.map((p) => `${commit}:./${p}\n`).join(""));
  if (!out) {
    for (const p of askable) found.add(p); // cannot check: the safe answer
    return found;
  }
  let at = 0;
  for (const p of askable) {
    const eol = out.indexOf(10, at);
    if (eol < 0) break;
    const header = out.toString("latin1", at, eol).split(" ");
    at = eol + 1;
    // "<oid> <type> <size>" then the content; "<name> missing" for a file added since the commit.
    if (header.length !== 3 || !/^[0-9a-f]+$/.test(header[0]!)) continue;
    const size = Number(header[2]);
    if (header[1] === "blob" && redactFile(p, out.subarray(at, at + size))) found.add(p);
    at += size + 1;
  }
  return found;
}
