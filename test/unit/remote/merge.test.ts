import { describe, expect, test } from "bun:test";
import { extendsOrder, mergeCommits } from "../../../src/remote/merge";
import { commitKey, latestCommits, parseCommitKey, experimentsIn, blobKey, type Commit } from "../../../src/remote/layout";

const seg = (sha: string, first_ts: string) => ({ sha256: sha, size: 1, lines: 1, first_ts });
function commit(writer: string, over: Partial<Commit> & { run?: Record<string, unknown> } = {}): Commit {
  return {
    format: 1, writer, host: `${writer}-host`, n: 1, pushed_at: "2026-01-01T00:00:10.000Z",
    files: {}, logs: {}, ...over,
    run: { run_id: "r", status: "finished", started_at: "2026-01-01T00:00:00.000Z", finished_at: "2026-01-01T00:00:05.000Z", tags: [], ...over.run },
  };
}
const origin = { remote: "team", pulled_at: "2026-01-01T01:00:00.000Z", stale_after_seconds: 300 };

describe("mergeCommits", () => {
  test("one writer: its run.json, its host, an origin naming it", () => {
    const m = mergeCommits([commit("a", { run: { pid: 7 } })], origin);
    expect(m.meta).toMatchObject({ run_id: "r", status: "finished", hostname: "a-host", pid: 7, finished_at: "2026-01-01T00:00:05.000Z" });
    expect(m.meta.origin).toMatchObject({ remote: "team", hosts: ["a-host"], heartbeat_at: "2026-01-01T00:00:10.000Z", stale_after_seconds: 300 });
  });

  test.each([
    [["finished", "running"], "running"],
    [["finished", "failed"], "failed"],
    [["interrupted", "finished"], "interrupted"],
    [["finished", "finished"], "finished"],
  ])("statuses %p merge to %p", (statuses, want) => {
    const m = mergeCommits(statuses.map((s, i) => commit(`w${i}`, { run: { status: s } })), origin);
    expect(m.meta.status).toBe(want);
  });

  test("several writers: earliest start is the base, tags united, end the latest, duration spans both", () => {
    const a = commit("a", { run: { started_at: "2026-01-01T00:00:02.000Z", finished_at: "2026-01-01T00:00:09.000Z", tags: ["x"] } });
    const b = commit("b", { run: { started_at: "2026-01-01T00:00:01.000Z", finished_at: "2026-01-01T00:00:04.000Z", tags: ["y"] } });
    const m = mergeCommits([a, b], origin);
    expect(m.meta).toMatchObject({ hostname: "b-host", tags: ["y", "x"], finished_at: "2026-01-01T00:00:09.000Z", duration_seconds: 8 });
  });

  test("an attached writer's copied run.json does not decide status or base", () => {
    const owner = commit("a", { run: { status: "finished", started_at: "2026-01-01T00:00:02.000Z" } });
    const joined = commit("b", { attached: true, run: { status: "running", started_at: "2026-01-01T00:00:01.000Z" } });
    const m = mergeCommits([owner, joined], origin);
    expect(m.meta).toMatchObject({ status: "finished", hostname: "a-host" });
    expect((m.meta.origin as any).writers.map((w: any) => w.status)).toEqual(["attached", "finished"]);
  });

  test("a file two writers hold differently takes the later push's copy", () => {
    const a = commit("a", { pushed_at: "2026-01-01T00:00:20.000Z", files: { "x.txt": { sha256: "aa", size: 1 }, "a.txt": { sha256: "a1", size: 1 } } });
    const b = commit("b", { pushed_at: "2026-01-01T00:00:10.000Z", files: { "x.txt": { sha256: "bb", size: 1 } } });
    expect(mergeCommits([a, b], origin).files).toEqual({ "x.txt": { sha256: "aa", size: 1 }, "a.txt": { sha256: "a1", size: 1 } });
  });

  test("segments interleave by first timestamp and keep each writer's order", () => {
    const a = commit("a", { logs: { "run.jsonl": { local_bytes: 0, segments: [seg("a0", "t1"), seg("a1", "t5"), seg("a2", "t3")] } } });
    const b = commit("b", { logs: { "run.jsonl": { local_bytes: 0, segments: [seg("b0", "t2"), seg("b1", "t4")] } } });
    const ids = mergeCommits([a, b], origin).logs["run.jsonl"]!.map((s) => s.sha256);
    expect(ids).toEqual(["a0", "b0", "b1", "a1", "a2"]);
  });

  test("trials: only the latest-started trial's writers are merged; a new generation's segments get ids of their own", () => {
    const trial = (writer: string, started_at: string, extra: Partial<Commit> = {}) =>
      commit(writer, { ...extra, run: { run_type: "trial", started_at }, logs: { "run.jsonl": { local_bytes: 1, segments: [seg(`${writer}-s`, started_at)] } } });
    const old = trial("a", "2026-01-01T00:00:00.000Z");
    const newer = trial("b", "2026-01-01T00:05:00.000Z");
    const joined = { ...trial("c", "2026-01-01T00:05:00.000Z"), attached: true };
    const m = mergeCommits([old, newer, joined], origin);
    expect((m.meta.origin as any).hosts).toEqual(["b-host", "c-host"]);
    expect(m.logs["run.jsonl"]!.map((s) => s.id)).toEqual(["b/0", "c/0"]);
    // Milestones that share an id keep every writer.
    const ms = mergeCommits([commit("a"), commit("b", { run: { started_at: "2026-01-01T00:05:00.000Z" } })], origin);
    expect((ms.meta.origin as any).hosts).toEqual(["a-host", "b-host"]);
    const regen = mergeCommits([trial("a", "2026-01-01T00:09:00.000Z", { n: 4, generation: 4 })], origin);
    expect(regen.logs["run.jsonl"]!.map((s) => s.id)).toEqual(["a@4/0"]);
  });

  test("extendsOrder", () => {
    expect(extendsOrder(["a/0"], ["a/0", "b/0"])).toBe(true);
    expect(extendsOrder(["b/0"], ["a/0", "b/0"])).toBe(false);
    expect(extendsOrder([], [])).toBe(true);
  });
});

describe("bucket keys", () => {
  test("commit keys round-trip and sort by number", () => {
    const k = commitKey("exp", "ms-1", "host-ab12", 12);
    expect(k).toBe("experiments/exp/runs/ms-1/writers/host-ab12/00000012.json");
    expect(parseCommitKey(k)).toEqual({ experiment: "exp", runId: "ms-1", writer: "host-ab12", n: 12 });
    expect(parseCommitKey("blobs/sha256/ab/abc")).toBeUndefined();
    expect(blobKey("abcdef")).toBe("blobs/sha256/ab/abcdef");
  });

  test("latestCommits and experimentsIn read a listing", () => {
    const keys = [commitKey("e", "r", "w1", 1), commitKey("e", "r", "w1", 3), commitKey("e", "r", "w2", 2), commitKey("f", "s", "w1", 1), "blobs/sha256/00/00"];
    expect(experimentsIn(keys)).toEqual(["e", "f"]);
    const latest = latestCommits(keys);
    expect(Object.fromEntries(latest.get("r")!)).toEqual({ w1: 3, w2: 2 });
  });
});

import { reportedStatus } from "../../../src/core/runfile";

describe("reportedStatus of a pulled run", () => {
  const at = (agoMs: number) => new Date(Date.now() - agoMs).toISOString();
  test.each([
    ["running", at(1000), 300, "running"],
    ["running", at(301_000), 300, "stale"],
    ["running", at(5000), 2, "stale"],
    ["finished", at(999_999), 300, "finished"],
  ])("%p with its last push %p and stale_after_seconds %p reads %p", (status, heartbeat_at, stale_after_seconds, want) => {
    // pid 1 on "this host" would otherwise be checked: the origin decides first
    expect(reportedStatus({ status: status as "running", pid: 999_999_99, hostname: require("node:os").hostname(), origin: { heartbeat_at, stale_after_seconds } })).toBe(want as "running");
  });
});
