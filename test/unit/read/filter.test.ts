import { describe, expect, test } from "bun:test";
import { UserError } from "../../../src/core/errors";
import type { RunSummary } from "../../../src/core/experiment";
import { filterRuns, parseSince } from "../../../src/read/filter";

const NOW = Date.parse("2026-01-10T12:00:00.000Z");
const run = (run_id: string, started_at: string, over: Partial<RunSummary> = {}): RunSummary => ({
  run_id, run_type: "milestone", status: "finished", started_at, metrics: {}, tags: [], ...over,
});
const RUNS: RunSummary[] = [
  run("a", "2026-01-01T00:00:00.000Z", { metrics: { accuracy: 0.7, latency_p95_ms: 300 }, tags: ["base"] }),
  run("b", "2026-01-08T00:00:00.000Z", { metrics: { accuracy: 0.9, latency_p95_ms: 100 }, status: "failed" }),
  run("trial_run", "2026-01-10T09:00:00.000Z", { run_type: "trial", metrics: { accuracy: 0.8, latency_p95_ms: 200 }, tags: ["quick", "base"] }),
  run("c", "2026-01-10T11:00:00.000Z", { status: "crashed", metrics: {} }),
];
const ids = (rs: RunSummary[]) => rs.map((r) => r.run_id);

describe("parseSince", () => {
  test.each([
    ["30m", NOW - 30 * 60e3],
    ["3h", NOW - 3 * 3600e3],
    ["2d", NOW - 2 * 86400e3],
    ["1w", NOW - 7 * 86400e3],
    ["1.5h", NOW - 1.5 * 3600e3],
    ["2026-01-08", Date.parse("2026-01-08")],
    ["2026-01-08T06:00:00Z", Date.parse("2026-01-08T06:00:00Z")],
  ])("%s", (text, expected) => expect(parseSince(text, NOW)).toBe(expected));
  test.each(["yesterday", "2x", "", "08/01/2026"])("refuses %j", (text) => expect(() => parseSince(text, NOW)).toThrow(UserError));
});

describe("filterRuns", () => {
  test.each([
    [{}, ["a", "b", "trial_run", "c"]],
    [{ status: "finished" }, ["a", "trial_run"]],
    [{ status: "failed,crashed" }, ["b", "c"]],
    [{ status: ["failed", "crashed"] }, ["b", "c"]],
    [{ type: "trial" }, ["trial_run"]],
    [{ since: "2d" }, ["trial_run", "c"]],
    [{ since: "3d" }, ["b", "trial_run", "c"]],
    [{ since: "2026-01-10" }, ["trial_run", "c"]],
    [{ tag: "base" }, ["a", "trial_run"]],
    [{ tag: ["base", "quick"] }, ["trial_run"]],
    [{ sort: "accuracy" }, ["b", "trial_run", "a", "c"]],
    [{ sort: "accuracy", asc: true }, ["a", "trial_run", "b", "c"]],
    [{ sort: "accuracy", limit: 2 }, ["b", "trial_run"]],
    [{ sort: "started_at" }, ["c", "trial_run", "b", "a"]],
    // Lower is better for latency (as compare decides): lowest first; --asc flips it.
    [{ sort: "latency_p95_ms" }, ["b", "trial_run", "a", "c"]],
    [{ sort: "latency_p95_ms", asc: true }, ["a", "trial_run", "b", "c"]],
    [{ limit: 2 }, ["trial_run", "c"]],
    [{ limit: "0" }, []],
    [{ status: "finished", sort: "accuracy", limit: 1 }, ["trial_run"]],
  ] as const)("%j", (opts, expected) => {
    expect(ids(filterRuns(RUNS, opts as any, NOW))).toEqual([...expected]);
  });

  test.each([
    [{ status: "done" }, "--status done is not a status: use one of running, finished, failed, interrupted, crashed"],
    [{ type: "final" }, "--type final is not a run type: use trial or milestone"],
    [{ limit: "ten" }, "--limit ten is not a count"],
    [{ since: "soon" }, "--since soon is not a date or an age"],
    [{ sort: "nope" }, "--sort nope is not a field or a metric of these runs: use one of started_at, finished_at, duration_seconds, run_id, status, run_type, or a metric: accuracy, latency_p95_ms"],
  ])("refuses %j", (opts, message) => {
    expect(() => filterRuns(RUNS, opts as any, NOW)).toThrow(message);
  });
});
