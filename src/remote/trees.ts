/**
 * Pulled code snapshots, shared by tree. A milestone's `code_snapshot/` is a tree of
 * read-only files; pulled milestones with the same tree (same paths, same contents) share
 * one copy of it, `<project>/.store/trees/<2 hex>/<tree sha256>/` (its files hard links
 * into the content store), and each run's `code_snapshot` is a symlink to it: a pull of
 * 200 milestones of one 1,000-file tree makes 1,000 links and 200 symlinks, not 200,000
 * links. Where no symlink can be made (Windows without the right), the run gets its own
 * hard links, as a local milestone has. pnpm lays out node_modules the same way.
 */
import { copyFileSync, linkSync, mkdirSync } from "node:fs";
import { copyFile, link, symlink } from "node:fs/promises";
import { createHash } from "node:crypto";
import { dirname, relative } from "pathe";

export const SNAPSHOT = "code_snapshot/";

/** The tree's id: sha256 over its sorted `path, sha256, size` entries. */
export function treeId(files: [string, { sha256: string; size: number }][]): string {
  const lines = files.map(([rel, f]) => `${rel}\0${f.sha256}\0${f.size}\n`);
  // Commits list files sorted: sort only when they are not.
  if (lines.some((l, i) => i > 0 && l < lines[i - 1]!)) lines.sort();
  return createHash("sha256").update(lines.join("")).digest("hex");
}

/** Where tree `id` lives in the project's content store. */
export const treePath = (storeRoot: string, id: string) => `${storeRoot}/trees/${id.slice(0, 2)}/${id}`;

/** Hard-link errors after which copying is the way (another file system, no right, a full inode). */
const COPY_INSTEAD = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EACCES", "EMLINK"]);

/**
 * Places each `[rel, source]` at `<dest>/<rel>` as a hard link (a copy where linking
 * fails), making each folder once. `rel` must be a checked relative path.
 */
export function linkFiles(files: [string, string][], dest: string): void {
  const made = new Set<string>();
  for (const [rel, source] of files) {
    const target = `${dest}/${rel}`;
    const dir = dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    try {
      linkSync(source, target);
    } catch (error) {
      if (!COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      copyFileSync(source, target);
    }
  }
}

/** A hard link of `source` at `dest` (a copy where linking fails, as linkFiles), off the main thread. */
export async function linkFile(source: string, dest: string): Promise<void> {
  try {
    await link(source, dest);
  } catch (error) {
    if (!COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    await copyFile(source, dest);
  }
}

/**
 * Makes `link` (inside a scratch folder) point at `tree` for a run that will live at
 * `runDir`: a relative symlink, so the project folder can move (a junction with an
 * absolute path on Windows). False when this system refuses symlinks.
 */
export async function linkTree(tree: string, runDir: string, link: string): Promise<boolean> {
  try {
    if (process.platform === "win32") await symlink(tree, link, "junction");
    else await symlink(relative(runDir, tree), link, "dir");
    return true;
  } catch (error) {
    if (COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? "")) return false;
    throw error;
  }
}

/**
 * A relative path from the bucket, safe to join under a run folder: no `..`, `.`, empty
 * segment, backslash or drive letter (a damaged or hostile commit must not write elsewhere).
 */
export function safeRelPath(rel: string): boolean {
  return rel !== "" && !UNSAFE.test(rel);
}
const UNSAFE = /(^|\/)\.{0,2}(\/|$)|[\\\0]|^[A-Za-z]:/;
