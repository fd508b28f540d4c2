/** The pure formatting helpers of list-runs and run (src/cli/format.ts). */
import { describe, expect, test } from "bun:test";
import { fitMetrics, formatExperiments, formatRunsTable } from "../../../src/cli/format";
import { clipMiddle } from "../../../src/cli/tables";
import { formatDuration, formatValue } from "../../../src/units";

describe("formatDuration", () => {
  test.each([
    [undefined, "-"],
    [0.0123, "12ms"],
    [0.85, "850ms"],
    [1, "1.0s"],
    [12.34, "12.3s"],
    [59.94, "59.9s"],
    [245, "4m 05s"],
    [3600, "1h 00m"],
    [7380, "2h 03m"],
  ] as const)("%p -> %p", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("formatValue", () => {
  test.each([
    [0.912345, "0.9123"],
    [42, "42"],
    [1e-7, "1e-7"],
    ["short", "short"],
    ["a".repeat(30), `${"a".repeat(23)}…`],
    [true, "true"],
    [null, "null"],
    [{ a: 1 }, '{"a":1}'],
  ] as const)("%p -> %p", (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe("fitMetrics", () => {
  const m = { accuracy: 0.9, f1: 0.5, loss: 1.25 };
  test.each([
    [100, "accuracy=0.9  f1=0.5  loss=1.25"],
    [30, "accuracy=0.9  f1=0.5  +1 more"],
    [24, "accuracy=0.9  f1=0.5  +1"],
    [21, "accuracy=0.9  +2 more"],
    [16, "accuracy=0.9  +2"],
    [10, "+3 more"],
  ] as const)("width %p", (width, text) => {
    expect(fitMetrics(m, width)).toBe(text);
    if (width >= 16) expect(text.length).toBeLessThanOrEqual(width);
  });
  test("no metrics", () => {
    expect(fitMetrics({}, 80)).toBe("");
  });
});

describe("tables", () => {
  test("runs: aligned columns, no trailing spaces", () => {
    const lines = formatRunsTable(
      [
        { run_id: "trial_run", run_type: "trial", status: "running", started_at: "", metrics: {}, tags: [] },
        { run_id: "v1", run_type: "milestone", status: "finished", started_at: "", duration_seconds: 2, metrics: { a: 1 }, tags: [] },
      ],
      80,
    );
    expect(lines).toEqual([
      "RUN        TYPE       STATUS    STARTED  DURATION  METRICS",
      "trial_run  trial      running   -        -",
      "v1         milestone  finished  -        2.0s      a=1",
    ]);
  });
  test("a long run id is shortened in the middle: rows stay within 80 columns and the metrics show", () => {
    const id = "pr-1234-feature-retrieval-rerank-with-a-very-long-branch-name-v2";
    const metrics = { accuracy: 0.91, f1: 0.88, latency_p95_ms: 420 };
    const lines = formatRunsTable([{ run_id: id, run_type: "milestone", status: "finished", started_at: "", duration_seconds: 2, metrics, tags: [] }], 80);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toContain("…");
    expect(lines[1]).toContain("me-v2 ");
    expect(lines[1]).toContain("accuracy=0.91");
    expect(clipMiddle("abcdefghij", 7)).toBe("ab…ghij"); // the one middle cut: more of the end kept (ids differ there)
  });
  test("experiments", () => {
    expect(formatExperiments([{ name: "a", runs: 1 }, { name: "longer", runs: 0 }])).toEqual(["a       1 run", "longer  0 runs"]);
  });
});
