/**
 * Merging the writers of one run (pure): their run.json into one, their files into one
 * tree, their JSONL segments into one order. Used by pull.
 */
import type { Commit, Segment } from "./layout";

/** A segment placed in the merged file, with an id unique across writers. */
export interface PlacedSegment extends Segment {
  id: string;
}

export interface MergedRun {
  meta: Record<string, unknown>;
  files: Record<string, { sha256: string; size: number }>;
  logs: Record<string, PlacedSegment[]>;
}

export interface OriginInfo {
  remote: string;
  pulled_at: string;
  stale_after_seconds: number;
}

const STATUS_RANK: Record<string, number> = { running: 4, failed: 3, interrupted: 2, finished: 1 };

const byStart = (a: Commit, b: Commit) =>
  String(a.run.started_at ?? "").localeCompare(String(b.run.started_at ?? "")) || a.writer.localeCompare(b.writer);

/**
 * One run out of its writers' latest commits. run.json: the earliest-started writer's,
 * status the most pressing of all (running > failed > interrupted > finished), tags
 * united, `hostname` its origin host, and `origin` listing every writer. Files: a path
 * two writers hold differently takes the copy of the later push. JSONL: each writer's
 * segments keep their order; writers interleave by each segment's first timestamp.
 *
 * @example
 * mergeCommits([a, b], { remote: "team", pulled_at, stale_after_seconds: 300 }).logs["run.jsonl"];
 */
export function mergeCommits(all: Commit[], origin: OriginInfo): MergedRun {
  const commits = latestTrial(all);
  const sorted = [...commits].sort(byStart);
  // Attached writers hold a copy of the run.json they pulled: the owners' decide.
  const owners = sorted.some((c) => !c.attached) ? sorted.filter((c) => !c.attached) : sorted;
  const base = owners[0]!;
  const meta: Record<string, unknown> = { ...base.run };
  const status = owners.map((c) => String(c.run.status ?? "finished")).sort((a, b) => (STATUS_RANK[b] ?? 0) - (STATUS_RANK[a] ?? 0))[0]!;
  meta.status = status;
  meta.hostname = base.host;
  if (sorted.length > 1) {
    meta.tags = [...new Set(owners.flatMap((c) => (Array.isArray(c.run.tags) ? (c.run.tags as string[]) : [])))];
    if (status !== "running") {
      const ends = owners.map((c) => c.run.finished_at).filter((t): t is string => typeof t === "string").sort();
      if (ends.length) {
        meta.finished_at = ends[ends.length - 1];
        const start = Date.parse(String(base.run.started_at));
        const end = Date.parse(ends[ends.length - 1]!);
        if (Number.isFinite(start) && Number.isFinite(end)) meta.duration_seconds = Math.round((end - start) / 10) / 100;
      }
    } else {
      delete meta.finished_at;
      delete meta.duration_seconds;
    }
  }
  const heartbeat = sorted.map((c) => c.pushed_at).sort().pop();
  meta.origin = {
    remote: origin.remote,
    pulled_at: origin.pulled_at,
    heartbeat_at: heartbeat,
    stale_after_seconds: origin.stale_after_seconds,
    hosts: [...new Set(sorted.map((c) => c.host))],
    writers: sorted.map((c) => ({ writer: c.writer, host: c.host, pid: c.run.pid, status: c.attached ? "attached" : c.run.status, pushed_at: c.pushed_at, commit: c.n })),
  };

  // One writer (most runs): its files as they are, not copied.
  const files: MergedRun["files"] = commits.length === 1 ? commits[0]!.files : {};
  if (commits.length > 1) {
    const byPush = [...commits].sort((a, b) => a.pushed_at.localeCompare(b.pushed_at) || a.writer.localeCompare(b.writer));
    for (const c of byPush) Object.assign(files, c.files);
  }

  const names = [...new Set(commits.flatMap((c) => Object.keys(c.logs)))].sort();
  const logs: MergedRun["logs"] = {};
  for (const name of names) {
    const queues = sorted.map((c) => (c.logs[name]?.segments ?? []).map((s, i) => ({ ...s, id: segmentId(c, i) })));
    logs[name] = interleave(queues);
  }
  return { meta, files, logs };
}

/** A segment's id in the merged order: its writer, the writer's generation, its index. */
export function segmentId(c: Pick<Commit, "writer" | "generation">, i: number): string {
  return c.generation ? `${c.writer}@${c.generation}/${i}` : `${c.writer}/${i}`;
}

/**
 * A trial is one reused folder: each writer's trials are different runs under one id. Of
 * the writers' latest commits, keep those of the latest-started trial (its owner and the
 * writers attached to it, whose run.json is a copy of the owner's); milestones keep all.
 */
function latestTrial(commits: Commit[]): Commit[] {
  const owners = commits.filter((c) => !c.attached);
  if (!owners.length || !owners.every((c) => c.run.run_type === "trial")) return commits;
  const start = owners.map((c) => String(c.run.started_at ?? "")).sort().pop();
  return commits.filter((c) => String(c.run.started_at ?? "") === start);
}

/** Merges ordered queues, taking each time the head with the earliest first timestamp. */
function interleave(queues: PlacedSegment[][]): PlacedSegment[] {
  const out: PlacedSegment[] = [];
  const at = queues.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let q = 0; q < queues.length; q++) {
      const head = queues[q]![at[q]!];
      if (!head) continue;
      if (pick < 0) {
        pick = q;
        continue;
      }
      const best = queues[pick]![at[pick]!]!;
      if ((head.first_ts ?? "") < (best.first_ts ?? "")) pick = q;
    }
    if (pick < 0) return out;
    out.push(queues[pick]![at[pick]!]!);
    at[pick]!++;
  }
}

/** True when `prefix` is the start of `order` (segment ids): the local file can be appended to. */
export function extendsOrder(prefix: string[], order: string[]): boolean {
  return prefix.length <= order.length && prefix.every((id, i) => order[i] === id);
}
