/** Temp folders, files and git repos for snapshot tests; folders are removed after the file's tests. */
import { afterAll } from "bun:test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { dirname, join } from "pathe";

/**
 * Helpers bound to one test file: `tmp(label)` makes a real-path temp folder that is
 * removed after the file's tests (store files are 0444, but removing them only needs the
 * folders to be writable).
 */
export function fsGitHelpers(prefix: string) {
  const temps: string[] = [];
  afterAll(() => {
    for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tmp = (label: string): string => {
    const dir = fs.realpathSync(fs.mkdtempSync(join(os.tmpdir(), `${prefix}-${label}-`)));
    temps.push(dir);
    return dir;
  };
  const write = (file: string, content: string | Buffer): void => {
    fs.mkdirSync(dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=Test", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const commitAll = (dir: string, message = "fixture"): void => {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", message);
  };
  /** Removes `dir` after the file's tests too (a folder made elsewhere, say on /dev/shm). */
  const track = (dir: string): string => {
    temps.push(dir);
    return dir;
  };
  return { tmp, track, write, git, commitAll };
}
