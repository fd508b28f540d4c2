/**
 * What this project copy knows of a remote, kept under `<project root>/.remote/`: its
 * writer id (`writer`, made once: `<host>-<8 hex>`), and per run what was pushed and
 * pulled (`<remote>/<experiment>/<run>.json`), so an unchanged run costs no request and a
 * grown log sends only its new bytes. Losing this folder loses nothing: the next push
 * starts a new writer history, the next pull rebuilds from the bucket.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "pathe";
import type { Commit } from "./layout";
import { SNAPSHOT, treeId, treePath } from "./trees";

export const STATE_DIR = ".remote";

/** This machine's name as writers report it (SCRYPTORUM_HOSTNAME stands in for another machine). */
export function writerHost(): string {
  return process.env.SCRYPTORUM_HOSTNAME || hostname();
}

/** This project copy's writer id, made on first use. */
export function writerId(projectRoot: string): string {
  const path = join(projectRoot, STATE_DIR, "writer");
  try {
    const id = readFileSync(path, "utf8").trim();
    if (/^[A-Za-z0-9._-]{1,100}$/.test(id)) return id;
  } catch {}
  const host = writerHost().replace(/[^A-Za-z0-9.-]+/g, "-").slice(0, 60) || "host";
  const id = `${host}-${randomBytes(4).toString("hex")}`;
  mkdirSync(dirname(path), { recursive: true });
  try {
    // Two first pushes at once: the first one's id wins, the other reads it.
    writeFileSync(path, id + "\n", { flag: "wx" });
  } catch {}
  return readFileSync(path, "utf8").trim() || id;
}

/** Size and modification time of every file of a run folder, by relative path. */
export type Signature = Record<string, string>;

/**
 * Every file of a run folder with its size and mtime. A milestone's `code_snapshot/` is
 * written once, read-only, and listed with sizes and hashes in snapshot_manifest.json:
 * its files are taken from there (a thousand fewer stat calls per run).
 */
export function scanRun(dir: string, manifest = snapshotHashes(dir), withSnapshot = true): Signature {
  const sig: Signature = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (TRANSIENT.test(r)) continue;
      // A pulled snapshot is a symlink to a shared tree (./trees).
      if (entry.isDirectory() || (r === "code_snapshot" && entry.isSymbolicLink())) {
        if (r !== "code_snapshot" || !manifest.size) walk(r);
      }
      else if (entry.isFile()) {
        const st = statSync(join(dir, r));
        sig[r] = `${st.size}:${st.mtimeMs}`;
      }
    }
  };
  walk("");
  // (A state keeps none of these: `withSnapshot` false leaves them out.)
  if (withSnapshot) for (const [rel, f] of manifest) sig[rel] = `${f.size}:snapshot`;
  return sig;
}

/**
 * Files the library has open only for a moment in a live run (locks, write-then-rename
 * temps of run.json, the manifest and a kept dataset): never part of what is pushed.
 */
const TRANSIENT = /^(?:(?:run|snapshot_manifest)\.json\.(?:lock|lock\.break|tmp-[^/]*|\d+\.[0-9a-f]+\.tmp)|data\/\.[^/]+\.[0-9a-f]{8}\.tmp)$/;

/** `code_snapshot/<path>` -> size and sha256, from the run's snapshot_manifest.json (none: empty). */
export function snapshotHashes(dir: string): Map<string, { size: number; sha256: string }> {
  let text: string;
  try {
    text = readFileSync(join(dir, "snapshot_manifest.json"), "utf8");
  } catch {
    return new Map();
  }
  // Milestones of one tree have the same manifest: parsed once (callers only read the map).
  let m = parsedManifests.get(text);
  if (!m) {
    if (parsedManifests.size >= 4) parsedManifests.delete(parsedManifests.keys().next().value!);
    parsedManifests.set(text, (m = parseSnapshotManifest(text)));
  }
  return m;
}

const parsedManifests = new Map<string, Map<string, { size: number; sha256: string }>>();

/** snapshotHashes from the manifest's text (many pulled milestones share one). */
export function parseSnapshotManifest(text: string): Map<string, { size: number; sha256: string }> {
  const out = new Map<string, { size: number; sha256: string }>();
  try {
    const m = JSON.parse(text);
    for (const f of m.files ?? []) {
      if (typeof f?.path === "string" && typeof f.sha256 === "string" && typeof f.size === "number") out.set(`code_snapshot/${f.path}`, { size: f.size, sha256: f.sha256 });
    }
  } catch {}
  return out;
}

export const isLog = (rel: string) => !rel.includes("/") && rel.endsWith(".jsonl");

/** An entry taken from snapshot_manifest.json, whose own entry already says whether it changed. */
const derived = (value: string) => value.endsWith(":snapshot");

/** Equal signatures, ignoring the entries derived from the manifest (states keep none). */
export function sameSignature(a: Signature, b: Signature): boolean {
  let n = 0;
  for (const k in a) {
    if (derived(a[k]!)) continue;
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (!derived(b[k]!)) n--;
  return n === 0;
}

/** The signature as a state keeps it: without the manifest's thousand snapshot entries. */
function stored(sig: Signature): Signature {
  const out: Signature = {};
  for (const k in sig) if (!derived(sig[k]!)) out[k] = sig[k]!;
  return out;
}

/**
 * Our own commit as a state keeps it: a milestone's snapshot files are exactly the entries
 * of its snapshot_manifest.json, so they are left out and `snapshot_files` holds their tree
 * id (./trees); ownCommit puts them back from the run folder's manifest while its entries
 * are those (a dataset added to the manifest later changes nothing). A thousand-file
 * milestone's state stays a few KB.
 */
export type OwnCommit = Commit & { snapshot_files?: string };

/** The tree id of a manifest's snapshot entries (made once per parsed manifest). */
export function manifestTreeId(manifest: Map<string, { size: number; sha256: string }>): string {
  let id = treeIds.get(manifest);
  if (id === undefined) treeIds.set(manifest, (id = treeId([...manifest])));
  return id;
}
const treeIds = new WeakMap<Map<string, { size: number; sha256: string }>, string>();

export interface RunState {
  /**
   * The signature when this state was saved (less the entries derived from the snapshot
   * manifest): equal now (sameSignature) means nothing to do.
   */
  sig: Signature;
  /** Bytes of each JSONL file accounted for (pushed by us, or pulled). */
  marks: Record<string, number>;
  /** sha256 of files (not JSONL), valid while their signature holds. */
  hashes: Record<string, string>;
  /** Our writer's latest commit, if we pushed (its snapshot files left out: ownCommit). */
  commit?: OwnCommit;
  /** What the last pull merged: each writer's commit number, the segment order of each file. */
  pulled?: { writers: Record<string, number>; order: Record<string, string[]>; commits: StoredCommit[] };
}

/**
 * A pulled commit as a state keeps it: when its snapshot files are exactly a shared tree's,
 * they are left out and `snapshot_tree` names the tree, whose listing (written once, next
 * to the tree) loadState puts back. A thousand-file milestone's state stays a few KB.
 */
export type StoredCommit = Commit & { snapshot_tree?: string };

/** Writes `<tree>.json`, the tree's files as commits list them (write, then rename). */
export function writeTreeListing(tree: string, files: [string, { sha256: string; size: number }][]): void {
  mkdirSync(dirname(tree), { recursive: true });
  const tmp = `${tree}.json.${process.pid}.${randomBytes(3).toString("hex")}.tmp`;
  writeFileSync(tmp, JSON.stringify(Object.fromEntries(files)));
  renameSync(tmp, `${tree}.json`);
}

/** `commit` without its snapshot files when they are exactly those of tree `id` (`count` files, as in `files`). */
export function compactCommit(commit: Commit, files: Commit["files"], count: number, id: string): StoredCommit {
  const rest: Commit["files"] = {};
  let n = 0;
  for (const rel in commit.files) {
    const f = commit.files[rel]!;
    if (!rel.startsWith(SNAPSHOT)) rest[rel] = f;
    else if (files[rel]?.sha256 === f.sha256 && files[rel]!.size === f.size) n++;
    else return commit;
  }
  return n === count ? { ...commit, files: rest, snapshot_tree: id } : commit;
}

/**
 * The state's own commit whole (its snapshot files put back from the run folder's
 * snapshot_manifest.json), or undefined when the manifest no longer lists those files:
 * then the commit is only good for its number and logs (read it from the bucket).
 */
export function ownCommit(state: RunState, dir: string): Commit | undefined {
  const c = state.commit;
  if (!c?.snapshot_files) return c;
  const manifest = snapshotHashes(dir);
  if (!manifest.size || manifestTreeId(manifest) !== c.snapshot_files) return undefined;
  const files: Commit["files"] = {};
  for (const [rel, f] of manifest) files[rel] = { sha256: f.sha256, size: f.size };
  Object.assign(files, c.files);
  const { snapshot_files: _, ...whole } = c;
  return { ...whole, files };
}

// Listings read, by tree id (content-addressed: the same id is the same listing anywhere).
const listings = new Map<string, Commit["files"]>();

/** Puts back the snapshot files of compacted commits; one whose listing is gone stays compact. */
function expandCommits(projectRoot: string, commits: StoredCommit[]): void {
  for (const c of commits) {
    const id = c.snapshot_tree;
    if (!id) continue;
    let listed = listings.get(id);
    if (!listed) {
      try {
        listed = JSON.parse(readFileSync(`${treePath(`${projectRoot}/.store`, id)}.json`, "utf8")) as Commit["files"];
      } catch {
        continue;
      }
      if (listings.size >= 16) listings.delete(listings.keys().next().value!);
      listings.set(id, listed);
    }
    c.files = { ...listed, ...c.files };
    delete c.snapshot_tree;
  }
}

/**
 * The folder name of a remote's state: its name and a hash of where it points, so a remote
 * removed and added again elsewhere under the same name starts afresh.
 */
export function stateKey(remote: { name: string; url: string; endpoint?: string }): string {
  return `${remote.name}-${sha256(`${remote.endpoint ?? ""}|${remote.url}`).slice(0, 8)}`;
}

const statePath = (projectRoot: string, remote: string, experiment: string, runId: string) =>
  join(projectRoot, STATE_DIR, remote, experiment, `${runId}.json`);

export function loadState(projectRoot: string, remote: string, experiment: string, runId: string): RunState | undefined {
  let state: RunState;
  try {
    state = JSON.parse(readFileSync(statePath(projectRoot, remote, experiment, runId), "utf8"));
  } catch {
    return undefined;
  }
  if (state.pulled?.commits) expandCommits(projectRoot, state.pulled.commits);
  return state;
}

/**
 * Writes a run's state. `raw` may give a pulled commit's JSON text as it came from the
 * bucket, written as is (not stringified again: a milestone's commit lists every file).
 */
export async function saveState(projectRoot: string, remote: string, experiment: string, runId: string, state: RunState, raw?: (c: Commit) => string | undefined): Promise<void> {
  const path = statePath(projectRoot, remote, experiment, runId);
  const tmp = `${path}.${process.pid}.${randomBytes(3).toString("hex")}.tmp`;
  state = { ...state, sig: stored(state.sig) };
  let text: string;
  if (state.pulled && raw) {
    // `pulled` last, its `commits` last: close the object after the commits' texts.
    const { pulled, ...rest } = state;
    const head = JSON.stringify({ ...rest, pulled: { writers: pulled.writers, order: pulled.order } });
    text = `${head.slice(0, -2)},"commits":[${pulled.commits.map((c) => raw(c) ?? JSON.stringify(c)).join(",")}]}}`;
  } else text = JSON.stringify(state);
  // Off the main thread: a pull saves one per run while its other runs download.
  try {
    await writeFile(tmp, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true }); // the first state of this experiment
    await writeFile(tmp, text);
  }
  await rename(tmp, path);
}

/** A scratch folder on the project's file system (so a rename into place is atomic). */
export async function scratchDir(projectRoot: string): Promise<string> {
  const dir = join(projectRoot, STATE_DIR, "tmp", `${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(dir);
  } catch {
    await mkdir(dir, { recursive: true }); // the first one
  }
  return dir;
}

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
