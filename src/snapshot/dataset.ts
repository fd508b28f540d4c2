/**
 * A milestone keeps the dataset files its evaluations load: `data/<file>` in the run
 * folder, through the content store (one stored copy however many milestones hold it),
 * listed under `datasets` in snapshot_manifest.json. The snapshot is taken when the run is
 * created; a dataset is only known when the code asks for it, so it is added then.
 */
import { readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, extname, isAbsolute, join, relative, resolve } from "pathe";
import { withFileLock } from "../core/fsutil.ts";
import { runFiles } from "../core/layout.ts";
import type { Exclusion } from "./policy.ts";
import { openStore } from "./store.ts";

/** One kept dataset file, as listed in snapshot_manifest.json `datasets`. */
export interface DatasetEntry {
  /** In the run folder: `data/<file name>`. */
  path: string;
  size: number;
  sha256: string;
  /** The file it was copied from. */
  source: string;
}

interface Manifest {
  source_root?: string;
  datasets?: DatasetEntry[];
  excluded?: Exclusion[];
  [key: string]: unknown;
}

/**
 * Keeps `file` (a dataset a milestone loaded) in the milestone `runDir`: returns its entry,
 * or undefined when the file lies outside the project and the source tree (recorded in the
 * manifest's `excluded`, not copied) or the run has no snapshot manifest. Loading the same
 * content again is a no-op; other content under the same name gets `<name>-<sha12><ext>`.
 *
 * @example
 * keepDataset("/p/experiments/qa/runs/v1", "/p/experiments/qa/data/qa.jsonl");
 * // { path: "data/qa.jsonl", size: 812, sha256: "…", source: "/p/experiments/qa/data/qa.jsonl" }
 */
export function keepDataset(runDir: string, file: string): DatasetEntry | undefined {
  const manifestFile = runFiles(runDir).manifest;
  const first = readManifest(manifestFile);
  if (!first) return undefined; // not a milestone snapshot (or one a user took apart): nothing to add to
  const projectRoot = resolve(runDir, "..", "..", "..", "..");
  const source = real(resolve(file));
  const name = basename(source);
  const roots = [projectRoot, first.source_root].filter((r): r is string => typeof r === "string").map(real);
  // The manifest is read, changed and written under a lock: two processes of one milestone
  // (a worker attached to it) loading datasets at once each keep their entry.
  const update = <T>(change: (manifest: Manifest) => T): T | undefined =>
    withFileLock(`${manifestFile}.lock`, () => {
      const manifest = readManifest(manifestFile);
      return manifest && change(manifest);
    });
  if (!roots.some((root) => inside(root, source))) {
    const path = `data/${name}`;
    update((manifest) => {
      const excluded = (manifest.excluded ??= []);
      if (!excluded.some((e) => e.path === path)) {
        excluded.push({ path, reason: "dataset outside the project" });
        writeManifest(manifestFile, manifest);
      }
    });
    return undefined;
  }

  const store = openStore(join(projectRoot, ".store"));
  // Placed under a temporary name first (outside the lock: a large file takes a while to
  // copy and hash); its hash decides the final one.
  const temp = `data/.${name}.${randomBytes(4).toString("hex")}.tmp`;
  const placed = store.placeFile(source, join(runDir, temp));
  try {
    return update((manifest) => {
      const datasets = (manifest.datasets ??= []);
      const same = datasets.find((d) => d.sha256 === placed.sha256 && d.source === source);
      let path = `data/${name}`;
      if (same || datasets.some((d) => d.path === path && d.sha256 === placed.sha256)) return same ?? datasets.find((d) => d.path === path);
      if (datasets.some((d) => d.path === path)) {
        const ext = extname(name);
        path = `data/${name.slice(0, name.length - ext.length)}-${placed.sha256.slice(0, 12)}${ext}`;
        const there = datasets.find((d) => d.path === path);
        if (there) return there;
      }
      renameSync(join(runDir, temp), join(runDir, path));
      const entry: DatasetEntry = { path, size: placed.size, sha256: placed.sha256, source };
      datasets.push(entry);
      writeManifest(manifestFile, manifest);
      return entry;
    });
  } finally {
    unlinkQuiet(join(runDir, temp)); // when it was not renamed into place (or the update failed)
  }
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith("../") && !isAbsolute(rel);
}

/** realpath when the path exists, so /tmp and /private/tmp (macOS) compare equal. */
function real(path: string): string {
  try {
    return resolve(realpathSync(path));
  } catch {
    return path;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/** Written whole then renamed: a reader (a push) never sees half a manifest. */
function writeManifest(file: string, manifest: Manifest): void {
  const temp = `${file}.${process.pid}.${randomBytes(3).toString("hex")}.tmp`;
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    renameSync(temp, file);
  } catch (error) {
    // A pulled milestone's manifest is a read-only store file, which Windows will not
    // replace: remove it (the store keeps its copy), then rename.
    if (!["EPERM", "EACCES"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    unlinkSync(file);
    renameSync(temp, file);
  }
}
