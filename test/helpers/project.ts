/** Test helpers: fresh projects in temp folders, and reading run files. */
import { mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Project } from "../../src/core/project";

/** A new temp folder (real path, so comparisons with resolved paths hold). */
export function tempDir(prefix = "scry-test-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** A temp folder with `.scryptorum` and its project root; returns both. */
export function tempProject(name = "demo"): { dir: string; project: Project; root: string } {
  const dir = tempDir();
  const project = Project.init(dir, { name, gitignore: false });
  return { dir, project, root: project.root };
}

/** Every record of a JSONL file (throws on a bad line: tests want to see it). */
export function readLines(path: string): Record<string, any>[] {
  const text = readFileSync(path, "utf8");
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}
