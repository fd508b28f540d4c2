/**
 * The one question core asks of git: is this folder inside a work tree (init adds the
 * experiments folder to .gitignore there)? Everything else asked of git is the snapshot's
 * (src/snapshot/git.ts), which builds on this.
 */
import { spawnSync } from "node:child_process";

/**
 * The top folder of the git work tree holding `dir`, or undefined outside git (or without
 * git installed): never throws.
 *
 * @example
 * gitTopLevel("/home/me/repo/src"); // "/home/me/repo"
 */
export function gitTopLevel(dir: string): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--show-toplevel"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "ignore"],
    // Optional locks off: never take index.lock from under the user's own git.
    env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0" },
  });
  if (result.error || result.status !== 0) return undefined;
  const out = result.stdout.toString("utf8").trim();
  return out === "" ? undefined : out;
}
