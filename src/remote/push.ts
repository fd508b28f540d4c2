/**
 * `scryptorum push`: each run's new bytes to the bucket as this writer's next commit.
 * Blobs first (create-only, content-addressed), the commit last, so a push killed
 * mid-way leaves only unreferenced blobs and the next push completes it.
 */
import { openSync, readSync, closeSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { runDir } from "../core/layout";
import type { Project } from "../core/project";
import { Bucket } from "./bucket";
import { BUCKET_FORMAT, blobKey, commitKey, parseCommitKey, writerPrefix, type Commit, type Segment } from "./layout";
import { mergeCommits } from "./merge";
import { RemoteFailed } from "./s3";
import { isLog, manifestTreeId, ownCommit, stateKey, loadState, saveState, scanRun, sameSignature, sha256, snapshotHashes, writerHost, writerId, type OwnCommit, type RunState } from "./state";
import { SNAPSHOT } from "./trees";
import { limiter, localRuns, pool, type Progress, type Selection } from "./select";
import type { Remote } from "./config";

/** PUTs in flight at most, across a push's runs. */
const PUTS = 32;

export interface PushedRun {
  experiment: string;
  run_id: string;
  result: "pushed" | "unchanged";
  commit?: number;
  bytes: number;
  blobs_uploaded: number;
  blobs_present: number;
}

export interface PushResult {
  remote: string;
  writer: string;
  runs: PushedRun[];
  pushed: number;
  unchanged: number;
  bytes: number;
  requests: number;
  duration_ms: number;
}

/**
 * Pushes the selected runs (milestones unless `runs` names others) of one experiment or
 * of all; returns what was sent. Refusals and network failures are RemoteFailed (exit 1).
 */
export async function push(project: Project, remote: Remote, sel: Selection, progress?: Progress): Promise<PushResult> {
  const started = Date.now();
  const bucket = new Bucket(remote);
  const writer = writerId(project.root);
  const targets = localRuns(project, sel);
  const uploaded = new Map<string, Promise<void>>();
  // As many PUTs at a time as the bench's floor makes (32), whatever the runs ask: with
  // runs 8 at a time and each run's segments and commit one after another, a milestone's
  // few small objects went 8 at a time.
  const puts = limiter(PUTS);
  let done = 0;
  const runs = await pool(targets, PUTS, async ({ experiment, runId }) => {
    const r = await pushRun(project, bucket, writer, experiment, runId, uploaded, puts);
    progress?.(++done, targets.length, `${experiment}/${runId}`);
    return r;
  });
  return {
    remote: remote.name,
    writer,
    runs,
    pushed: runs.filter((r) => r.result === "pushed").length,
    unchanged: runs.filter((r) => r.result === "unchanged").length,
    bytes: runs.reduce((n, r) => n + r.bytes, 0),
    requests: bucket.requests,
    duration_ms: Date.now() - started,
  };
}

function readRange(path: string, from: number, to: number): Uint8Array {
  const buf = new Uint8Array(Math.max(0, to - from));
  if (!buf.length) return buf;
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n <= 0) break;
      got += n;
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

const firstTimestamp = (bytes: Uint8Array): string | undefined => {
  const end = bytes.indexOf(10);
  try {
    const ts = JSON.parse(new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end))).timestamp;
    return typeof ts === "string" ? ts : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Pushes one run as `writer`'s next commit, or nothing when it did not change since.
 * `uploaded` remembers the blobs this process sent (share it between calls).
 */
export async function pushRun(project: Project, bucket: Bucket, writer: string, experiment: string, runId: string, uploaded: Map<string, Promise<void>>, puts = limiter(PUTS)): Promise<PushedRun> {
  const dir = runDir(project.root, experiment, runId);
  const remoteName = bucket.remote.name;
  const manifest = snapshotHashes(dir); // read once: the signature and the hashes both use it
  // A milestone's snapshot files are its manifest's entries (./state): taken from there
  // once per manifest, not per file per run.
  const snap = manifest.size ? snapshotPart(manifest) : undefined;
  const sig = scanRun(dir, manifest, false);
  let state: RunState = loadState(project.root, stateKey(bucket.remote), experiment, runId) ?? { sig: {}, marks: {}, hashes: {} };
  const result: PushedRun = { experiment, run_id: runId, result: "unchanged", bytes: 0, blobs_uploaded: 0, blobs_present: 0 };
  if ((state.commit || state.pulled) && sameSignature(sig, state.sig)) return result;

  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
  } catch (error) {
    throw new UserError(`run ${experiment}/${runId} has no readable run.json (${(error as Error).message}): it cannot be pushed; fix or delete the run`);
  }
  // A run.json that came from a pull: this copy joined the run, it does not own its status.
  const attached = meta.origin !== undefined;
  delete meta.origin;
  // The folder holds another run than the one pushed or pulled before (a trial run again):
  // a trial starts a new generation (logs from byte 0; readers take the latest trial); a
  // milestone is never rewritten, so that is refused.
  const before = attached ? undefined : knownStart(state);
  const fresh = before !== undefined && before !== String(meta.started_at ?? "");
  if (fresh) {
    if (meta.run_type !== "trial") {
      throw new UserError(`run ${experiment}/${runId} was replaced since it was pushed to "${remoteName}" (it started ${String(meta.started_at)}, the pushed one ${before}): a milestone is never rewritten; give the new run another id (scryptorum run … --milestone --run-id <new-id>)`);
    }
    state = { sig: {}, marks: {}, hashes: {}, commit: state.commit };
  }

  // One upload per blob per push, awaited by every run that holds it (its commit must
  // not be written before the blob is).
  // The bytes are read when the PUT gets its slot: at most PUTS blobs in memory.
  const blob = (sha: string, data: () => Uint8Array | Promise<Uint8Array>): Promise<void> => {
    let p = uploaded.get(sha);
    if (!p) {
      p = puts(async () => {
        const bytes = await data();
        return { created: await bucket.putNew(blobKey(sha), bytes), size: bytes.length };
      }).then(
        ({ created, size }) => {
          if (created) {
            result.blobs_uploaded++;
            result.bytes += size;
          } else result.blobs_present++;
        },
        (error) => {
          uploaded.delete(sha); // a later push tries again
          throw error;
        },
      );
      uploaded.set(sha, p);
    }
    return p;
  };

  // Files other than the JSONL logs: hashed (again only when changed), uploaded once.
  // Blobs this run's earlier pushes and pulls already saw in the bucket.
  const seen = new Set<string>();
  for (const c of [state.commit && ownCommit(state, dir), ...(state.pulled?.commits ?? [])]) for (const f of Object.values(c?.files ?? {})) seen.add(f.sha256);
  const files: Commit["files"] = {};
  const hashes: Record<string, string> = {};
  const fileList = Object.keys(sig).filter((rel) => rel !== "run.json" && !isLog(rel)).sort();
  // A file whose hash is known (the milestone's manifest hashed its snapshot, read-only
  // hard links; or unchanged since the last push) is not read unless uploaded: a plain
  // loop, no await per file (a thousand-file milestone). The others are read and hashed
  // 16 at a time. Not awaited yet: the logs' segments go up alongside.
  const sends: Promise<void>[] = [];
  if (snap) {
    const read = (rel: string) => () => readFile(`${dir}/${rel}`); // off the main thread
    if (!seen.size) {
      // The push's first run of this manifest sends its blobs; the others await that.
      const key = `manifest ${snap.id}`;
      let all = uploaded.get(key);
      if (!all) {
        all = Promise.all(snap.blobs.map(([sha, rel]) => blob(sha, read(rel)))).then(() => {});
        all.catch(() => uploaded.delete(key));
        uploaded.set(key, all);
      }
      sends.push(all);
    } else for (const [sha, rel] of snap.blobs) if (!seen.has(sha)) sends.push(blob(sha, read(rel)));
  }
  const unknown: string[] = [];
  for (const rel of fileList) {
    const size = Number(sig[rel]!.slice(0, sig[rel]!.indexOf(":")));
    const listed = manifest.get(rel);
    const known = state.sig[rel] === sig[rel] ? state.hashes[rel] : listed?.size === size ? listed.sha256 : undefined;
    if (known === undefined) {
      unknown.push(rel);
      continue;
    }
    if (!listed) hashes[rel] = known;
    files[rel] = { sha256: known, size };
    if (!seen.has(known)) sends.push(blob(known, () => readFile(`${dir}/${rel}`)));
  }
  sends.push(
    pool(unknown, 16, async (rel) => {
      const data = await readFile(join(dir, rel));
      const sha = sha256(data);
      if (!manifest.has(rel)) hashes[rel] = sha;
      files[rel] = { sha256: sha, size: Number(sig[rel]!.split(":")[0]) };
      if (!seen.has(sha)) await blob(sha, () => data);
    }).then(() => {}),
  );
  const filesSent = Promise.all(sends);
  filesSent.catch(() => {}); // awaited below; a refusal of the logs may come first

  for (let attempt = 0; ; attempt++) {
    const base = state.commit;
    const logs: Commit["logs"] = {};
    const marks: Record<string, number> = {};
    const sent: Promise<unknown>[] = [filesSent];
    for (const rel of Object.keys(sig).filter(isLog).sort()) {
      const size = Number(sig[rel]!.split(":")[0]);
      const from = state.marks[rel] ?? 0;
      const segments: Segment[] = fresh ? [] : [...(base?.logs[rel]?.segments ?? [])];
      let mark = from;
      if (size < from) {
        throw new UserError(`run ${experiment}/${runId}: ${rel} is shorter than what was pushed from it (${size} < ${from} bytes): the file was cut or replaced by hand; push a run as the library wrote it, or give it another id`);
      }
      if (size > from) {
        const bytes = readRange(join(dir, rel), from, size);
        const end = bytes.lastIndexOf(10) + 1; // whole lines only: a writer may be mid-line
        if (end > 0) {
          const seg = bytes.subarray(0, end);
          let lines = 0;
          for (let i = 0; i < seg.length; i++) if (seg[i] === 10) lines++;
          const sha = sha256(seg);
          sent.push(blob(sha, () => seg));
          segments.push({ sha256: sha, size: seg.length, lines, first_ts: firstTimestamp(seg) });
          mark = from + end;
        }
      }
      marks[rel] = mark;
      logs[rel] = { segments, local_bytes: mark };
    }
    await Promise.all(sent); // every blob before the commit that names it
    const n = (base?.n ?? 0) + 1;
    const sorted: Commit["files"] = {};
    for (const rel of fileList) sorted[rel] = files[rel]!;
    const commit: Commit = { format: BUCKET_FORMAT, writer, host: writerHost(), n, pushed_at: new Date().toISOString(), run: meta, files: sorted, logs };
    if (attached) commit.attached = true;
    const generation = fresh ? n : base?.generation;
    if (generation) commit.generation = generation;
    const body = commitText(commit, snap);
    if (await puts(() => bucket.putNew(commitKey(experiment, runId, writer, n), body, "application/json"))) {
      result.bytes += body.length;
      result.result = "pushed";
      result.commit = n;
      // (The state keeps the commit without the snapshot files: they are the manifest's.)
      const own: OwnCommit = snap ? { ...commit, snapshot_files: manifestTreeId(manifest) } : commit;
      await saveState(project.root, stateKey(bucket.remote), experiment, runId, { ...state, sig, marks, hashes, commit: own });
      return result;
    }
    // Another push of this same copy committed n first: continue from the latest commit.
    if (attempt >= 5) throw new RemoteFailed(`remote "${remoteName}": run ${experiment}/${runId} kept losing the race for its next commit: retry the push`);
    const latest = await latestOwnCommit(bucket, experiment, runId, writer);
    if (!latest) throw new RemoteFailed(`remote "${remoteName}" refused commit ${n} of run ${experiment}/${runId} but lists none: retry the push`);
    // (A new generation starts from byte 0 whatever the latest commit holds: only its number counts.)
    const marksFromRemote = fresh ? {} : Object.fromEntries(Object.entries(latest.logs).map(([k, v]) => [k, v.local_bytes]));
    state = { ...state, commit: latest, marks: { ...state.marks, ...marksFromRemote } };
  }
}

/** A manifest's snapshot files as a push uses them: made once per manifest (milestones of one tree share it). */
interface SnapshotPart {
  id: number;
  /** Each distinct blob once, with a file that holds it. */
  blobs: [sha: string, rel: string][];
  /** The files' entries as a commit's JSON lists them, in path order, comma-separated. */
  json: string;
  /** `json` in UTF-8. */
  bytes: Uint8Array;
}

const parts = new WeakMap<Map<string, { size: number; sha256: string }>, SnapshotPart>();
let partIds = 0;

export function snapshotPart(manifest: Map<string, { size: number; sha256: string }>): SnapshotPart {
  let part = parts.get(manifest);
  if (part) return part;
  const rels = [...manifest.keys()].sort();
  const blobs = new Map<string, string>();
  for (const rel of rels) if (!blobs.has(manifest.get(rel)!.sha256)) blobs.set(manifest.get(rel)!.sha256, rel);
  const json = rels.map((rel) => `${JSON.stringify(rel)}:${JSON.stringify({ sha256: manifest.get(rel)!.sha256, size: manifest.get(rel)!.size })}`).join(",");
  parts.set(manifest, (part = { id: ++partIds, blobs: [...blobs], json, bytes: Buffer.from(json) }));
  return part;
}

/**
 * The commit's JSON; with `snap`, its snapshot files (not in `commit.files`) spliced in
 * where their paths sort, as one text made once per manifest. Paths sharing the prefix
 * `code_snapshot/` sort together, so the files stay in path order.
 */
export function commitText(commit: Commit, snap: SnapshotPart | undefined): string | Uint8Array {
  if (!snap?.json) return JSON.stringify(commit);
  const entries = Object.keys(commit.files)
    .sort()
    .map((rel) => [rel, `${JSON.stringify(rel)}:${JSON.stringify(commit.files[rel])}`] as const);
  const before = entries.filter(([rel]) => rel < SNAPSHOT).map(([, e]) => e);
  const after = entries.filter(([rel]) => rel > SNAPSHOT).map(([, e]) => e);
  const text = JSON.stringify({ ...commit, files: {} });
  // The last one: `run` (before it) may hold such a key, `logs` (after it) cannot.
  const at = text.lastIndexOf(',"files":{}') + ',"files":{'.length;
  const join = (list: string[]) => (list.length ? list.join(",") + "," : "");
  // Bytes: the manifest's part is encoded once, and the signer and fetch both take them as they are.
  const tail = after.length ? `,${after.join(",")}${text.slice(at)}` : text.slice(at);
  return Buffer.concat([Buffer.from(text.slice(0, at) + join(before)), snap.bytes, Buffer.from(tail)]);
}

/**
 * When the run this folder held at the last push or pull started: our own commit's run,
 * else the pulled one (its earliest-started owner, as the merge wrote it); none when
 * this copy never pushed nor pulled the run.
 */
function knownStart(state: RunState): string | undefined {
  if (state.commit && !state.commit.attached) return String(state.commit.run.started_at ?? "");
  if (state.pulled?.commits.length) return String(mergeCommits(state.pulled.commits, { remote: "", pulled_at: "", stale_after_seconds: 0 }).meta.started_at ?? "");
  return state.commit ? String(state.commit.run.started_at ?? "") : undefined;
}

async function latestOwnCommit(bucket: Bucket, experiment: string, runId: string, writer: string): Promise<Commit | undefined> {
  const keys = await bucket.list(writerPrefix(experiment, runId, writer));
  const n = Math.max(0, ...keys.map((k) => parseCommitKey(k)?.n ?? 0));
  if (!n) return undefined;
  const data = await bucket.get(commitKey(experiment, runId, writer, n));
  return data ? (JSON.parse(new TextDecoder().decode(data)) as Commit) : undefined;
}
