/**
 * `scryptorum pull`: each run's writers merged into an ordinary local run. A run is built
 * in a scratch folder, every blob checked against its sha256, then renamed into place:
 * a failed or killed pull leaves the local run as it was. Blobs are downloaded once per
 * pull, and code snapshots are shared by tree (./trees).
 */
import { hostname } from "node:os";
import { readFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { appendFile, copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "pathe";
import { UserError } from "../core/errors";
import { validateName } from "../core/validate";
import { Experiment } from "../core/experiment";
import { runDir, runsDir } from "../core/layout";
import { processAlive } from "../core/runfile";
import type { Project } from "../core/project";
import { openStore } from "../snapshot/store";
import { Bucket } from "./bucket";
import { BUCKET_FORMAT, blobKey, commitKey, experimentsIn, experimentsPrefix, latestCommits, parseCommit, runsPrefix, type Commit } from "./layout";
import { extendsOrder, mergeCommits, segmentId } from "./merge";
import { RemoteFailed } from "./s3";
import { compactCommit, isLog, ownCommit, stateKey, loadState, parseSnapshotManifest, sameSignature, saveState, scanRun, scratchDir, sha256, writeTreeListing, type RunState } from "./state";
import { limiter, pool, type Progress, type Selection } from "./select";
import { SNAPSHOT, linkFile, linkFiles, linkTree, safeRelPath, treeId, treePath } from "./trees";
import type { Remote } from "./config";

export interface PulledRun {
  experiment: string;
  run_id: string;
  result: "pulled" | "unchanged" | "skipped";
  writers: number;
  hosts: string[];
  bytes: number;
  reason?: string;
}

export interface PullResult {
  remote: string;
  runs: PulledRun[];
  pulled: number;
  unchanged: number;
  skipped: number;
  bytes: number;
  requests: number;
  duration_ms: number;
}

/** Seconds without a push after which a pulled `running` run reads `stale`. */
export function staleAfterSeconds(project: Project): number {
  const env = Number(process.env.SCRYPTORUM_STALE_AFTER);
  if (Number.isFinite(env) && env > 0) return env;
  const setting = Number((project.anchor as Record<string, unknown> | undefined)?.stale_after_seconds);
  return Number.isFinite(setting) && setting > 0 ? setting : 300;
}

export async function pull(project: Project, remote: Remote, sel: Selection, progress?: Progress): Promise<PullResult> {
  const started = Date.now();
  const bucket = new Bucket(remote);
  const keys = await bucket.list(sel.experiment ? runsPrefix(sel.experiment) : experimentsPrefix());
  const experiments = sel.experiment ? [sel.experiment] : experimentsIn(keys);
  const todo: { experiment: string; runId: string; writers: Map<string, number> }[] = [];
  for (const experiment of experiments) {
    const runs = latestCommits(keys.filter((k) => k.startsWith(runsPrefix(experiment))));
    if (sel.experiment && !runs.size) throw new UserError(`experiment "${experiment}" has no runs in remote "${remote.name}": push it first, or see what the bucket holds with \`scryptorum pull\``);
    for (const id of sel.runs ?? []) {
      if (sel.experiment && !runs.has(id)) throw new UserError(`run "${id}" of experiment "${experiment}" is not in remote "${remote.name}"`);
    }
    for (const [runId, writers] of [...runs].sort(([a], [b]) => a.localeCompare(b))) {
      if (!sel.runs || sel.runs.includes(runId)) todo.push({ experiment, runId, writers });
    }
  }
  const staleAfter = staleAfterSeconds(project);
  let done = 0;
  const shared = sharedFetches(project, bucket);
  const runs = await pool(todo, 32, async (t) => {
    const r = await pullRun(project, bucket, t.experiment, t.runId, t.writers, staleAfter, shared);
    progress?.(++done, todo.length, `${t.experiment}/${t.runId}`);
    return r;
  });
  return {
    remote: remote.name,
    runs,
    pulled: runs.filter((r) => r.result === "pulled").length,
    unchanged: runs.filter((r) => r.result === "unchanged").length,
    skipped: runs.filter((r) => r.result === "skipped").length,
    bytes: runs.reduce((n, r) => n + r.bytes, 0),
    requests: bucket.requests,
    duration_ms: Date.now() - started,
  };
}

type FetchBlob = (sha: string, what: string) => Promise<Uint8Array>;

/** What the runs of one pull share: each blob downloaded once, each snapshot tree made once. */
interface Shared {
  experiments: Set<string>;
  /** Commits' runs of snapshot entries, parsed once per content (./layout parseCommit). */
  blocks: Map<string, Commit["files"]>;
  /** A GET, at most 32 at a time across the pull's runs. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** A snapshot tree's folder in the store, made (blobs fetched, files linked) on first use. */
  tree(files: [string, { sha256: string; size: number }][], fetch: FetchBlob, manifest?: { sha256: string; size: number }): Promise<{ path: string; id: string }>;
  /** A file's bytes, kept for the pull's other runs while small (a manifest all milestones share). */
  small(sha: string, size: number, what: string, fetch: FetchBlob): Promise<Uint8Array>;
  /**
   * Puts a file the pull's runs share (a milestone's snapshot_manifest.json: every milestone
   * of one tree has the same) at `dest`: stored once, hard-linked into each run.
   */
  place(sha: string, size: number, what: string, fetch: FetchBlob, dest: string): Promise<void>;
  /** Waits until `bytes` more may be held in memory (at most LOG_BYTES across the pull); call the result to give them back. */
  hold(bytes: number): Promise<() => void>;
  /** A snapshot_manifest.json's listing, parsed once per content. */
  manifest(sha: string, read: () => string): Map<string, { size: number; sha256: string }>;
}

const SMALL_FILE = 1 << 20;
const LOG_BYTES = 256 << 20;
const SMALL_TOTAL = 64 << 20;

function sharedFetches(project: Project, bucket: Bucket): Shared {
  // As many GETs at a time as the bench's floor makes, whatever the runs and trees ask.
  const gets = limiter(32);
  const storeRoot = `${project.root}/.store`;
  const store = openStore(storeRoot);
  const blobs = new Map<string, Promise<string>>();
  const trees = new Map<string, Promise<string>>();
  const smalls = new Map<string, Promise<Uint8Array>>();
  const manifests = new Map<string, Map<string, { size: number; sha256: string }>>();
  let kept = 0;
  let held = 0;
  const waiting: (() => void)[] = [];
  const once = <T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let p = map.get(key);
    if (!p) {
      p = make();
      map.set(key, p);
      p.catch(() => map.delete(key)); // a later run tries again
    }
    return p;
  };
  const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? -1;
  // A store file of the right size is complete (the store writes then renames); else download.
  const toStore = (sha: string, size: number, what: string, fetch: FetchBlob) =>
    once(blobs, sha, async () => {
      const stored = `${storeRoot}/${sha.slice(0, 2)}/${sha}`;
      return sizeOf(stored) === size ? stored : store.add(await fetch(sha, what), sha);
    });
  // A tree's id hashes its 1,000 entries; milestones of one tree share their manifest, so
  // the id is remembered by manifest, for entries that are exactly the manifest's listing.
  const ids = new Map<string, string>();
  const idOf = async (files: [string, { sha256: string; size: number }][], fetch: FetchBlob, manifest?: { sha256: string; size: number }) => {
    if (!manifest) return treeId(files);
    let listed = manifests.get(manifest.sha256);
    if (!listed) {
      if (manifest.size > SMALL_FILE) return treeId(files);
      const bytes = await shared.small(manifest.sha256, manifest.size, "snapshot_manifest.json", fetch);
      listed = shared.manifest(manifest.sha256, () => new TextDecoder().decode(bytes));
    }
    const same = listed.size === files.length && files.every(([rel, f]) => {
      const l = listed.get(rel);
      return l?.sha256 === f.sha256 && l.size === f.size;
    });
    if (!same) return treeId(files);
    let id = ids.get(manifest.sha256);
    if (id === undefined) ids.set(manifest.sha256, (id = treeId(files)));
    return id;
  };
  const shared: Shared = {
    experiments: new Set(),
    blocks: new Map(),
    get: (key) => gets(() => bucket.get(key)),
    tree: async (files, fetch, manifest) => {
      const id = await idOf(files, fetch, manifest);
      const path = await once(trees, id, async () => {
        const path = treePath(storeRoot, id);
        // Its listing, which run states refer to instead of repeating it (./state).
        if (!existsSync(`${path}.json`)) writeTreeListing(path, files);
        if (existsSync(path)) return path;
        const sources = await pool(files, 32, ([rel, f]) => toStore(f.sha256, f.size, rel, fetch));
        // Built aside and renamed into place: a tree folder that exists is whole.
        const scratch = await scratchDir(project.root);
        try {
          linkFiles(files.map(([rel], i) => [rel.slice(SNAPSHOT.length), sources[i]!]), scratch);
          mkdirSync(dirname(path), { recursive: true });
          try {
            renameSync(scratch, path);
          } catch (error) {
            if (!existsSync(path)) throw error; // else another pull made it first
          }
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
        return path;
      });
      return { path, id };
    },
    // (The bytes come through `small`: the tree's id read this manifest already.)
    place: async (sha, size, what, fetch, dest) => linkFile(await toStore(sha, size, what, (s, w) => shared.small(s, size, w, fetch)), dest),
    hold: async (bytes) => {
      const n = Math.min(bytes, LOG_BYTES);
      while (held > 0 && held + n > LOG_BYTES) await new Promise<void>((r) => waiting.push(r));
      held += n;
      let given = false;
      return () => {
        if (given) return;
        given = true;
        held -= n;
        for (const wake of waiting.splice(0)) wake(); // each waiter checks again
      };
    },
    manifest: (sha, read) => {
      let m = manifests.get(sha);
      if (!m) {
        if (manifests.size >= 64) manifests.delete(manifests.keys().next().value!); // bounded memory
        manifests.set(sha, (m = parseSnapshotManifest(read())));
      }
      return m;
    },
    small: (sha, size, what, fetch) => {
      if (size > SMALL_FILE || kept + size > SMALL_TOTAL) return smalls.get(sha) ?? fetch(sha, what);
      return once(smalls, sha, () => {
        kept += size;
        return fetch(sha, what);
      });
    },
  };
  return shared;
}

const sameWriters = (a: Record<string, number>, b: Record<string, number>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([w, n]) => b[w] === n);

async function pullRun(project: Project, bucket: Bucket, experiment: string, runId: string, latest: Map<string, number>, staleAfter: number, shared: Shared): Promise<PulledRun> {
  const remoteName = bucket.remote.name;
  // Names from the bucket's keys become local folders: a damaged or hostile key ("..") must
  // not reach outside the experiment's runs folder.
  for (const [name, field] of [[experiment, "experiment"], [runId, "run id"]] as const) {
    try {
      validateName(name, field);
    } catch (error) {
      throw new RemoteFailed(`remote "${remoteName}" holds a run under ${field} ${JSON.stringify(name)}, not a valid name (${(error as Error).message}): nothing was pulled for it; check the bucket's keys`);
    }
  }
  const dir = runDir(project.root, experiment, runId);
  let state = loadState(project.root, stateKey(bucket.remote), experiment, runId);
  const writers = Object.fromEntries(latest);
  const result: PulledRun = { experiment, run_id: runId, result: "unchanged", writers: latest.size, hosts: [], bytes: 0 };
  const exists = existsSync(join(dir, "run.json"));
  // A pulled run with no state yet: another pull of this project has just put it in place
  // and saves its state next (it renames first, then scans and saves): wait for that.
  if (exists && !state && pulledRun(dir)) state = await stateOf(project.root, stateKey(bucket.remote), experiment, runId);
  const sig = exists ? scanRun(dir) : {};
  if (exists) {
    if (!state) return { ...result, result: "skipped", reason: `run ${experiment}/${runId} exists locally and was never pushed to "${remoteName}": push it first (\`scryptorum push ${experiment} --runs ${runId}\`), then pull merges both` };
    if (writtenHere(dir)) return { ...result, result: "skipped", reason: `run ${experiment}/${runId} is being written by a process on this machine: pull it when that process ends` };
    if (!sameSignature(sig, state.sig)) return { ...result, result: "skipped", reason: `run ${experiment}/${runId} has local changes not pushed to "${remoteName}": push it first, then pull` };
    const known = state.pulled?.writers ?? (state.commit ? { [state.commit.writer]: state.commit.n } : {});
    if (sameWriters(known, writers)) {
      result.hosts = [...new Set((state.pulled?.commits ?? (state.commit ? [state.commit] : [])).map((c) => c.host))];
      return result;
    }
  }

  // Each writer's latest commit (those already merged last time are reused).
  const cached = new Map<string, Commit>();
  for (const c of state?.pulled?.commits ?? []) if (!c.snapshot_tree) cached.set(`${c.writer}/${c.n}`, c); // else its tree's listing is gone
  const own = state && ownCommit(state, dir); // none when the run folder's manifest changed since
  if (own) cached.set(`${own.writer}/${own.n}`, own);
  const raw = new WeakMap<Commit, string>(); // each commit's text, written into the state as it came
  const commits = await pool([...latest], 8, async ([writer, n]) => {
    const hit = cached.get(`${writer}/${n}`);
    if (hit) return hit;
    const key = commitKey(experiment, runId, writer, n);
    const data = await shared.get(key);
    if (!data) throw new RemoteFailed(`remote "${remoteName}": ${bucket.s3.key(key)} was listed but cannot be read: retry the pull`);
    result.bytes += data.length;
    let commit: Commit;
    try {
      const text = new TextDecoder().decode(data);
      commit = parseCommit(text, shared.blocks);
      raw.set(commit, text);
    } catch {
      throw new RemoteFailed(`remote "${remoteName}": ${bucket.s3.key(key)} is not valid JSON: the bucket copy is damaged (delete that object and push again from ${writer})`);
    }
    if (typeof commit.format === "number" && commit.format > BUCKET_FORMAT) {
      throw new UserError(`remote "${remoteName}": run ${experiment}/${runId} was pushed by a newer scryptorum (bucket format ${commit.format}): upgrade scryptorum to pull it`);
    }
    return commit;
  });
  const merged = mergeCommits(commits, { remote: remoteName, pulled_at: new Date().toISOString(), stale_after_seconds: staleAfter });
  result.hosts = (merged.meta.origin as { hosts: string[] }).hosts;

  for (const rel of [...Object.keys(merged.files), ...Object.keys(merged.logs)]) {
    if (!safeRelPath(rel) || rel === "run.json" || (rel in merged.logs && !isLog(rel))) {
      throw new RemoteFailed(`remote "${remoteName}": run ${experiment}/${runId} names a file "${rel}" that is not a path inside a run folder: the bucket copy is damaged (push the run again from its machine); nothing was changed locally`);
    }
  }
  if (!shared.experiments.has(experiment)) {
    new Experiment(project, experiment); // creates the experiment locally when missing
    mkdirSync(runsDir(project.root, experiment), { recursive: true });
    shared.experiments.add(experiment);
  }
  const stage = await scratchDir(project.root);
  let treeOfRun: string | undefined;
  const order: Record<string, string[]> = {};
  const files = Object.entries(merged.files);
  const snapshot = files.filter(([rel]) => rel.startsWith(SNAPSHOT));
  const others = files.filter(([rel]) => !rel.startsWith(SNAPSHOT));
  try {
    const fetchBlob = async (sha: string, what: string): Promise<Uint8Array> => {
      const key = blobKey(sha);
      const data = await shared.get(key);
      if (!data) throw new RemoteFailed(`remote "${remoteName}": blob ${bucket.s3.key(key)} (${what} of run ${experiment}/${runId}) is missing from the bucket; nothing was changed locally`);
      const got = sha256(data);
      if (got !== sha) throw new RemoteFailed(`remote "${remoteName}": blob ${bucket.s3.key(key)} (${what} of run ${experiment}/${runId}) does not match its sha256 (got ${got}): the bucket copy is corrupt; nothing was changed locally`);
      result.bytes += data.length;
      return data;
    };
    const logs = Object.entries(merged.logs).map(([rel, segments]) => {
      const ids = segments.map((s) => s.id);
      order[rel] = ids;
      const before = knownOrder(state, rel);
      const appendable = exists && !!before && extendsOrder(before, ids) && existsSync(join(dir, rel)) && statSync(join(dir, rel)).size === (state?.marks[rel] ?? -1);
      const from = appendable ? before!.length : 0;
      return { rel, appendable, todo: segments.slice(from), data: [] as Uint8Array[] };
    });
    const tasks: (() => Promise<void>)[] = [];
    // The run's files are written off the main thread (async): a pull's other runs keep
    // their downloads going meanwhile.
    const made = new Map<string, Promise<unknown>>([[stage, Promise.resolve()]]);
    const ensureDir = (d: string) => {
      let p = made.get(d);
      if (!p) made.set(d, (p = mkdir(d, { recursive: true })));
      return p;
    };
    // The snapshot: one shared tree per distinct content, linked in (./trees).
    if (snapshot.length) {
      tasks.push(async () => {
        const manifest = merged.files["snapshot_manifest.json"];
        const tree = await shared.tree(snapshot, fetchBlob, manifest);
        treeOfRun = tree.id;
        const link = `${stage}/code_snapshot`;
        if (!(await linkTree(tree.path, dir, link))) linkFiles(snapshot.map(([rel]) => [rel.slice(SNAPSHOT.length), `${tree.path}/${rel.slice(SNAPSHOT.length)}`]), link);
      });
    }
    for (const [rel, { sha256: sha, size }] of others) {
      tasks.push(async () => {
        const dest = `${stage}/${rel}`;
        await ensureDir(dirname(dest));
        if (exists && state?.hashes[rel] === sha && state.sig[rel] === sig[rel]) return copyFile(join(dir, rel), dest);
        if (rel === "snapshot_manifest.json") return shared.place(sha, size, rel, fetchBlob, dest);
        await writeFile(dest, await shared.small(sha, size, rel, fetchBlob));
      });
    }
    for (const log of logs) {
      log.todo.forEach((seg, i) => tasks.push(async () => void (log.data[i] = await fetchBlob(seg.sha256, `${log.rel} segment ${seg.id}`))));
    }
    // A run's new log bytes are held in memory until written: the pull's runs together hold
    // at most LOG_BYTES (a larger run waits to hold them alone).
    const release = await shared.hold(logs.reduce((n, log) => n + log.todo.reduce((m, seg) => m + seg.size, 0), 0));
    try {
      await pool(tasks, 16, (task) => task());
      await Promise.all([
        ...logs.map(async (log) => {
          const dest = `${stage}/${log.rel}`;
          const data = log.data.length === 1 ? log.data[0]! : Buffer.concat(log.data);
          log.data = [];
          if (!log.appendable) return writeFile(dest, data); // one write, not one per segment
          await copyFile(join(dir, log.rel), dest);
          if (data.length) await appendFile(dest, data);
        }),
        writeFile(join(stage, "run.json"), JSON.stringify(merged.meta, null, 2) + "\n"),
      ]);
    } finally {
      release();
    }

    if (!(await place(stage, dir, exists))) {
      // Another pull of this project put the run in place first: done when it holds what
      // this pull merged (the same writers' commits), else this pull's view is out of date.
      const theirs = await stateOf(project.root, stateKey(bucket.remote), experiment, runId, writers);
      if (theirs) return { ...result, result: "unchanged", bytes: 0 };
      throw new RemoteFailed(`remote "${remoteName}": run ${experiment}/${runId} was written by another pull at the same time, with other commits than this one merged; nothing of this pull was kept: rerun the pull`);
    }
  } finally {
    await rm(stage, { recursive: true, force: true });
  }

  const listed = merged.files["snapshot_manifest.json"];
  const now = scanRun(dir, listed ? shared.manifest(listed.sha256, () => readFileSync(`${dir}/snapshot_manifest.json`, "utf8")) : new Map(), false);
  const marks = Object.fromEntries(Object.keys(now).filter(isLog).map((rel) => [rel, Number(now[rel]!.split(":")[0])]));
  // Snapshot files are hashed in snapshot_manifest.json; the state keeps the others'.
  const hashes = Object.fromEntries(others.map(([rel, f]) => [rel, f.sha256]));
  const kept = treeOfRun ? commits.map((c) => compactCommit(c, merged.files, snapshot.length, treeOfRun!)) : commits;
  const next: RunState = { sig: now, marks, hashes, commit: state?.commit, pulled: { writers, order, commits: kept } };
  await saveState(project.root, stateKey(bucket.remote), experiment, runId, next, (c) => raw.get(c));
  result.result = "pulled";
  return result;
}

/**
 * Moves the built run into place (replacing the old folder when `exists`); false when
 * another pull put a run there in the meantime (the rename would find the folder taken).
 */
async function place(stage: string, dir: string, exists: boolean): Promise<boolean> {
  const taken = (error: unknown) => ["ENOTEMPTY", "EEXIST", "ENOENT"].includes((error as NodeJS.ErrnoException).code ?? "");
  if (exists) {
    const old = `${stage}.old`;
    try {
      await rename(dir, old);
    } catch (error) {
      if (!taken(error)) throw error;
      return false; // another pull moved it aside first
    }
    try {
      await rename(stage, dir);
    } catch (error) {
      if (!taken(error)) {
        await rename(old, dir); // the run goes back where it was, untouched
        throw error;
      }
      await rm(old, { recursive: true, force: true }); // the other pull's run is in place
      return false;
    }
    await rm(old, { recursive: true, force: true });
    return true;
  }
  try {
    await rename(stage, dir);
    return true;
  } catch (error) {
    if (((error as NodeJS.ErrnoException).code ?? "") !== "ENOTEMPTY" && (error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}

/**
 * The state another pull saves once its run is in place, when it merged exactly `writers`
 * (any, when not given; waits up to 5 s for it: that pull renames first, then scans and saves).
 */
async function stateOf(root: string, remote: string, experiment: string, runId: string, writers?: Record<string, number>): Promise<RunState | undefined> {
  for (let i = 0; i < 100; i++) {
    const state = loadState(root, remote, experiment, runId);
    if (state?.pulled && (!writers || sameWriters(state.pulled.writers, writers))) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** True when the local run came from a pull (its run.json names an origin). */
function pulledRun(dir: string): boolean {
  try {
    return Boolean(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).origin);
  } catch {
    return false;
  }
}

/** True when the local run is still open in a live process here (its files must not move). */
function writtenHere(dir: string): boolean {
  try {
    const meta = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    return meta.status === "running" && !meta.origin && meta.hostname === hostname() && processAlive(meta.pid, meta.pid_start);
  } catch {
    return false;
  }
}

/** The segment order the local file holds: what the last pull merged, or our own pushes. */
function knownOrder(state: RunState | undefined, rel: string): string[] | undefined {
  if (state?.pulled) return state.pulled.order[rel];
  const own = state?.commit;
  return own ? (own.logs[rel]?.segments ?? []).map((_, i) => segmentId(own, i)) : undefined;
}
