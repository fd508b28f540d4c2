/**
 * A run's files over HTTP: artifacts (listed by walking artifacts/, sent as downloads) and
 * the code snapshot (only the files snapshot_manifest.json lists). Every path is plain
 * relative segments, resolved with symlinks followed, and must stay inside the project.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runFiles } from "../core/layout";
import { isBinary } from "../read/rundiff";
import { readJson, runDirChecked, type ApiContext } from "./context";
import { HttpError } from "./http";
import { checkRelPath, isInside, real, resolveInside } from "./paths";

/** One file of a run's artifacts/ folder. */
export interface ArtifactEntry {
  path: string;
  size: number;
}

/** Files under artifacts/ (symlinks followed only while they stay inside the project), sorted. */
export function listArtifacts(ctx: ApiContext, dir: string): ArtifactEntry[] {
  const base = runFiles(dir).artifacts;
  const out: ArtifactEntry[] = [];
  const visit = (rel: string, depth: number) => {
    if (depth > 16 || out.length >= 10_000) return;
    let entries;
    try {
      entries = readdirSync(join(base, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      const target = real(join(base, p));
      if (target === undefined || !isInside(ctx.realRoot, target)) continue;
      let st;
      try {
        st = statSync(target);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(p, depth + 1);
      else if (st.isFile()) out.push({ path: p, size: st.size });
    }
  };
  visit("", 0);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An artifact, resolved: the file to send. `GET /api/experiments/:experiment/runs/:run/artifacts/<path>` */
export function artifactFile(ctx: ApiContext, experiment: string, runId: string, rel: string): { file: string; name: string } {
  const dir = runDirChecked(ctx, experiment, runId);
  checkRelPath(rel);
  const file = resolveInside(ctx.realRoot, runFiles(dir).artifacts, rel);
  return { file, name: rel.slice(rel.lastIndexOf("/") + 1) };
}

interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

function readManifest(dir: string): { files: ManifestFile[]; excluded: { path: string; reason: string }[] } {
  const manifest = readJson(runFiles(dir).manifest);
  if (!manifest || typeof manifest !== "object") throw new HttpError(404, "this run has no code snapshot (only milestones keep one)");
  const files = (Array.isArray(manifest.files) ? manifest.files : [])
    .filter((f: any) => f && typeof f.path === "string")
    .map((f: any) => ({ path: f.path, size: Number(f.size) || 0, sha256: String(f.sha256 ?? "") }));
  const excluded = (Array.isArray(manifest.excluded) ? manifest.excluded : [])
    .filter((x: any) => x && typeof x.path === "string")
    .map((x: any) => ({ path: x.path, reason: String(x.reason ?? "") }));
  return { files, excluded };
}

/** `GET /api/experiments/:experiment/runs/:run/snapshot` */
export function snapshotView(ctx: ApiContext, experiment: string, runId: string) {
  return readManifest(runDirChecked(ctx, experiment, runId));
}

/** Text shown of one snapshot file, at most. */
const MAX_TEXT = 2 * 1024 * 1024;

/**
 * A snapshot file, only when the manifest lists it.
 * `GET /api/experiments/:experiment/runs/:run/snapshot/<path>`
 */
export function snapshotFile(ctx: ApiContext, experiment: string, runId: string, rel: string) {
  const dir = runDirChecked(ctx, experiment, runId);
  checkRelPath(rel);
  const entry = readManifest(dir).files.find((f) => f.path === rel);
  if (!entry) throw new HttpError(404, "not in the snapshot manifest");
  const file = resolveInside(ctx.realRoot, runFiles(dir).codeSnapshot, rel);
  const buf = readFileSync(file);
  const binary = isBinary(buf);
  return {
    file,
    view: {
      path: entry.path,
      size: buf.length,
      sha256: entry.sha256,
      binary,
      truncated: !binary && buf.length > MAX_TEXT,
      text: binary ? null : buf.subarray(0, MAX_TEXT).toString("utf8"),
    },
  };
}

