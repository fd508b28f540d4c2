/**
 * Which files of the source tree a snapshot takes: git's view inside a work tree, a
 * .gitignore-honouring walk outside one, both filtered by the secrets policy.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "pathe";
import { listGitFiles } from "./git.ts";
import { isIgnored, parseGitignore, type IgnoreRule } from "./gitignore.ts";
import { classifyPath, type Exclusion } from "./policy.ts";

/** Candidate files (relative, `/`-separated) and what was left out on the way. */
export interface SourceListing {
  files: string[];
  excluded: Exclusion[];
  fromGit: boolean;
}

/**
 * Lists the files of `root`. `skip` maps folders relative to `root` (the experiments
 * directory, the content store) to the reason they are left out.
 *
 * @example
 * listSourceFiles("/repo", true, new Map([["experiments", "experiments directory"]]));
 */
export function listSourceFiles(root: string, inGit: boolean, skip: ReadonlyMap<string, string>): SourceListing {
  const excluded = new Map<string, Exclusion>();
  const note = (e: Exclusion) => excluded.set(e.path, e);
  const files: string[] = [];
  const gitFiles = inGit ? listGitFiles(root, [...skip.keys()]) : undefined;
  if (gitFiles) {
    for (const [dir, reason] of skip) if (existsSync(join(root, dir))) note({ path: dir, reason });
    for (const rel of gitFiles) {
      const hit = classifyPath(rel);
      if (hit) note(hit);
      else files.push(rel);
    }
  } else {
    walk(root, "", [], skip, files, note);
  }
  return { files, excluded: [...excluded.values()], fromGit: gitFiles !== undefined };
}

function walk(
  abs: string,
  rel: string,
  inherited: readonly IgnoreRule[],
  skip: ReadonlyMap<string, string>,
  files: string[],
  note: (e: Exclusion) => void,
): void {
  let rules = inherited;
  const ignoreFile = join(abs, ".gitignore");
  if (existsSync(ignoreFile)) {
    try {
      rules = [...inherited, ...parseGitignore(readFileSync(ignoreFile, "utf8"), rel)];
    } catch {
      // An unreadable .gitignore ignores nothing; the file itself is then reported unreadable.
    }
  }
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (cause) {
    note({ path: rel || ".", reason: `unreadable: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}` });
    return;
  }
  for (const entry of entries) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    const skipReason = skip.get(childRel);
    if (skipReason) {
      note({ path: childRel, reason: skipReason });
      continue;
    }
    // Symlinks are not followed into folders (loops); they are judged as files later.
    const isDir = entry.isDirectory();
    const hit = classifyPath(childRel, isDir);
    if (hit) {
      note(hit);
      continue;
    }
    if (isIgnored(rules, childRel, isDir)) continue;
    if (isDir) walk(join(abs, entry.name), childRel, rules, skip, files, note);
    else files.push(childRel);
  }
}
