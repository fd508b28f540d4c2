/**
 * The bucket layout (docs/bucket-layout.md), as pure functions: keys relative to the
 * remote's prefix, the commit object's shape, and parsing listed keys back.
 */

/** Version of the bucket layout; a reader refuses commits of a newer one. */
export const BUCKET_FORMAT = 1;

/** Content-addressed blob: `blobs/sha256/<2 hex>/<64 hex>`. */
export const blobKey = (sha256: string) => `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;

export const experimentsPrefix = () => "experiments/";
export const runsPrefix = (experiment: string) => `experiments/${experiment}/runs/`;

/** A writer's commit n of a run: immutable, created with If-None-Match: *. */
export const commitKey = (experiment: string, runId: string, writer: string, n: number) =>
  `experiments/${experiment}/runs/${runId}/writers/${writer}/${String(n).padStart(8, "0")}.json`;

export const writerPrefix = (experiment: string, runId: string, writer: string) =>
  `experiments/${experiment}/runs/${runId}/writers/${writer}/`;

export interface ParsedCommitKey {
  experiment: string;
  runId: string;
  writer: string;
  n: number;
}

const COMMIT = /^experiments\/([^/]+)\/runs\/([^/]+)\/writers\/([^/]+)\/(\d{8})\.json$/;

/** The parts of a commit key, or undefined for any other key. */
export function parseCommitKey(key: string): ParsedCommitKey | undefined {
  const m = COMMIT.exec(key);
  return m ? { experiment: m[1]!, runId: m[2]!, writer: m[3]!, n: Number(m[4]) } : undefined;
}

/** The experiments named in a listing of `experiments/`. */
export function experimentsIn(keys: string[]): string[] {
  return [...new Set(keys.map((k) => parseCommitKey(k)?.experiment).filter((e): e is string => !!e))].sort();
}

/** The latest commit number of each writer of each run in a listing. */
export function latestCommits(keys: string[]): Map<string, Map<string, number>> {
  const runs = new Map<string, Map<string, number>>();
  for (const key of keys) {
    const c = parseCommitKey(key);
    if (!c) continue;
    const writers = runs.get(c.runId) ?? new Map<string, number>();
    writers.set(c.writer, Math.max(writers.get(c.writer) ?? 0, c.n));
    runs.set(c.runId, writers);
  }
  return runs;
}

/** One piece of a JSONL file a writer pushed: whole lines, stored as a blob. */
export interface Segment {
  sha256: string;
  size: number;
  lines: number;
  /** The first line's `timestamp`, to interleave writers on pull. */
  first_ts?: string;
}

/**
 * A writer's commit: its whole view of the run at push n (cumulative, so a reader needs
 * only each writer's latest commit). Every blob it names was uploaded before it.
 */
export interface Commit {
  format: number;
  writer: string;
  host: string;
  n: number;
  pushed_at: string;
  /** The writer's run.json. */
  run: Record<string, unknown>;
  /**
   * True for a writer that joined a run pulled from the bucket (`run --attach`): its
   * run.json is a copy, so its status does not count in the merge.
   */
  attached?: boolean;
  /**
   * The commit number where this writer's current run began, when it is not its first
   * (a trial re-run in the same folder): the commit then starts its logs afresh rather than
   * extending the previous commit's, and a reader takes only the latest-started trial.
   */
  generation?: number;
  /** Every other file of the run (snapshot, artifacts, config…): path -> blob. */
  files: Record<string, { sha256: string; size: number }>;
  /** Each JSONL file at the run's top level: the writer's segments, in order. */
  logs: Record<string, { segments: Segment[]; local_bytes: number }>;
}

/**
 * A commit's JSON text parsed, with its run of `code_snapshot/` entries (the same text in
 * every milestone of one tree: a thousand entries) parsed once per distinct content:
 * `blocks` keeps each such run's entries by its text (at most `max` of them). The result
 * equals `JSON.parse(text)`, files in the same order; a text of another shape is parsed
 * whole. Throws as JSON.parse does on a text that is not JSON.
 *
 * @example
 * const blocks = new Map();
 * parseCommit(text, blocks).files["code_snapshot/src/a.ts"]; // { sha256, size }
 */
export function parseCommit(text: string, blocks: Map<string, Commit["files"]>, max = 16): Commit {
  const whole = () => JSON.parse(text) as Commit;
  // Commits are written as {…,"run":{…},"files":{…},"logs":{…}…}: `,"files":{` can only be
  // the last such text (`run` may hold a key "files"), and `},"logs":` ends the files
  // (no JSON string holds an unescaped quote). Snapshot entries sort together.
  // (A "__proto__" key: JSON.parse makes it an own key, an assignment would not.)
  const filesAt = text.includes('"__proto__"') ? -1 : text.lastIndexOf(',"files":{');
  const filesEnd = filesAt < 0 ? -1 : text.indexOf('},"logs":', filesAt);
  const first = filesEnd < 0 ? -1 : text.indexOf('"code_snapshot/', filesAt);
  if (first < 0 || first > filesEnd || (text[first - 1] !== "{" && text[first - 1] !== ",")) return whole();
  // The last snapshot entry's value, {"sha256":"…","size":n}, holds no brace.
  const value = text.indexOf('":{"sha256":', text.lastIndexOf('"code_snapshot/', filesEnd));
  const end = value < 0 ? -1 : text.indexOf("}", value) + 1;
  if (end <= 0 || end > filesEnd || (text[end] !== "," && text[end] !== "}")) return whole();
  const block = text.slice(first, end);
  let entries = blocks.get(block);
  let commit: Commit;
  try {
    entries ??= JSON.parse(`{${block}}`) as Commit["files"];
    // The text without the run (and one of the commas around it).
    const rest = text[first - 1] === "," ? text.slice(0, first - 1) + text.slice(end) : text[end] === "," ? text.slice(0, first) + text.slice(end + 1) : text.slice(0, first) + text.slice(end);
    commit = JSON.parse(rest) as Commit;
    if (!commit.files || typeof commit.files !== "object") return whole();
  } catch {
    return whole();
  }
  if (!blocks.has(block)) {
    if (blocks.size >= max) blocks.delete(blocks.keys().next().value!);
    blocks.set(block, entries);
  }
  const files: Commit["files"] = {};
  const others = Object.keys(commit.files);
  for (const rel of others) if (rel < "code_snapshot/") files[rel] = commit.files[rel]!;
  Object.assign(files, entries);
  for (const rel of others) if (!(rel < "code_snapshot/")) files[rel] = commit.files[rel]!;
  commit.files = files;
  return commit;
}
