/** list-experiments and list-runs, on runs written by the library. */
import { describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { Experiment, Project } from "../../src/index";
import { cmd, tempDir, writeFiles } from "../helpers/cli";

/** A project with experiment "alpha" (a finished trial with metrics, a crashed milestone) and "beta" (no runs). */
function project(): string {
  const dir = tempDir();
  Project.createRoot(dir, "proj");
  const alpha = new Experiment(dir, "alpha");
  const trial = alpha.createRun("trial");
  trial.logMetric("accuracy", 0.912345);
  trial.logMetric("f1", 0.5);
  trial.finish();
  new Experiment(dir, "beta");
  // A milestone whose writer died: readers report it crashed.
  writeFiles(join(dir, "experiments/alpha/runs/m1"), {
    "run.json": JSON.stringify({
      format: 1,
      run_id: "m1",
      run_type: "milestone",
      experiment: "alpha",
      project: "proj",
      status: "running",
      started_at: "2030-01-01T00:00:00.000Z",
      pid: 2 ** 22 + 12345,
      hostname: hostname(),
      argv: [],
      config: {},
      tags: [],
      scryptorum_version: "0.1.0",
    }),
  });
  return dir;
}

describe("list-experiments", () => {
  test.concurrent("one line per experiment with its run count; --json", async () => {
    const dir = project();
    expect(await cmd(["list-experiments"], { cwd: dir })).toEqual({ code: 0, stdout: "alpha  2 runs\nbeta   0 runs\n", stderr: "" });
    const json = await cmd(["list-experiments", "--json"], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual([
      { name: "alpha", runs: 2 },
      { name: "beta", runs: 0 },
    ]);
  });

  test.concurrent("no experiments: a hint on stderr, nothing on stdout; --json gives []", async () => {
    const dir = tempDir();
    Project.createRoot(dir, "empty");
    expect(await cmd(["list-experiments"], { cwd: dir })).toEqual({
      code: 0,
      stdout: "",
      stderr: "ℹ no experiments yet: create one with scryptorum create-experiment <name>\n",
    });
    expect((await cmd(["list-experiments", "--json"], { cwd: dir })).stdout).toBe("[]\n");
  });
});

describe("list-runs", () => {
  test.concurrent("one line per run: id, type, status (crashed), start, duration, metrics", async () => {
    const dir = project();
    const r = await cmd(["list-runs", "alpha"], { cwd: dir, env: { TZ: "UTC" } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("RUN        TYPE       STATUS    STARTED           DURATION  METRICS");
    // 80 columns when stdout is not a terminal: the metrics that fit, then how many were left out.
    expect(lines[1]).toMatch(/^trial_run  trial      finished  \d{4}-\d\d-\d\d \d\d:\d\d  \d+ms +accuracy=0\.9123  \+1$/);
    expect(lines[2]).toBe("m1         milestone  crashed   2030-01-01 00:00  -");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const wide = await cmd(["list-runs", "alpha"], { cwd: dir, env: { COLUMNS: "120" } });
    expect(wide.stdout.split("\n")[1]).toEndWith("accuracy=0.9123  f1=0.5");
  });

  test.concurrent("--json: the listRuns() array, crashed included", async () => {
    const dir = project();
    const runs = JSON.parse((await cmd(["list-runs", "alpha", "--json"], { cwd: dir })).stdout);
    expect(runs).toEqual(new Experiment(dir, "alpha").listRuns());
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["finished", "crashed"]);
  });

  test.concurrent("no runs: a hint on stderr", async () => {
    const dir = project();
    expect(await cmd(["list-runs", "beta"], { cwd: dir })).toEqual({
      code: 0,
      stdout: "",
      stderr: "ℹ no runs yet: start one with scryptorum run beta --script <file>\n",
    });
  });

  test.concurrent("a large --json is written whole (not cut at a pipe's 64 KiB)", async () => {
    const dir = tempDir();
    Project.createRoot(dir, "big");
    new Experiment(dir, "e");
    const metrics = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`metric_${i}`, i / 7]));
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      files[`experiments/e/runs/r${i}/run.json`] = JSON.stringify({
        format: 1, run_id: `r${i}`, run_type: "milestone", experiment: "e", project: "big", status: "finished",
        started_at: "2030-01-01T00:00:00.000Z", pid: 1, hostname: "elsewhere", argv: [], config: {}, tags: [],
        scryptorum_version: "0.1.0", metrics_summary: metrics,
      });
    }
    writeFiles(dir, files);
    const r = await cmd(["list-runs", "e", "--json"], { cwd: dir });
    expect(r.stdout.length).toBeGreaterThan(300_000);
    expect(JSON.parse(r.stdout)).toHaveLength(300);
  });
});
