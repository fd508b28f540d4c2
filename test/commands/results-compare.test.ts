import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildFixture, cli, cliJson, type Fixture } from "./results-fixture";
import { Experiment } from "../../src/index";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

describe("scryptorum compare", () => {
  test("prints metrics side by side with deltas from the first run", async () => {
    const r = await cli(f.dir, "compare", "qa", "v1", "v2");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("qa: v2 against v1* (deltas are run minus baseline)");
    expect(r.stdout).toMatch(/^METRIC\s+v1\*\s+v2\s+Δ$/m);
    expect(r.stdout).toMatch(/^f1\s+0\.7\s+0\.8\s+\+0\.1$/m);
    expect(r.stdout).toMatch(/^loss\s+0\.25\s+0\.2\s+-0\.05$/m);
    expect(r.stdout).toMatch(/^accuracy\s+0\.75\s+0\.75\s+±0$/m);
    expect(r.stdout).toMatch(/^load\s+30ms\s+20ms\s+-10ms$/m);
    expect(r.stdout).toMatch(/^llm_mean_ms\s+100ms\s+150ms\s+\+50ms$/m);
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  test("--json: runs, baseline and rows aligned with the runs", async () => {
    const { code, json } = await cliJson(f.dir, "compare", "qa", "v1", "v2");
    expect(code).toBe(0);
    expect(Object.keys(json)).toEqual(["experiment", "baseline", "runs", "metrics", "timings", "usage"]);
    expect(json.baseline).toBe("v1");
    expect(json.runs.map((r: any) => r.run_id)).toEqual(["v1", "v2"]);
    expect(json.metrics.find((m: any) => m.name === "f1")).toEqual({ name: "f1", values: [0.7, 0.8], deltas: [null, 0.1], lower_is_better: false, changed: true });
    expect(json.metrics.find((m: any) => m.name === "loss")).toMatchObject({ deltas: [null, -0.05], lower_is_better: true });
    expect(json.usage.find((u: any) => u.name === "cost_usd")).toMatchObject({ values: [0.04, 0.04], changed: false });
  });

  test("takes any number of runs (seven here)", async () => {
    const exp = new Experiment(f.root, "many");
    const ids = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"];
    ids.forEach((id, i) => {
      const run = exp.createRun("milestone", id, { cwd: f.dir });
      run.logMetric("score", i / 10);
      run.finish();
    });
    const { code, json } = await cliJson(f.dir, "compare", "many", ...ids);
    expect(code).toBe(0);
    expect(json.runs.map((r: any) => r.run_id)).toEqual(ids);
    expect(json.metrics.find((m: any) => m.name === "score").values).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  });

  test("--baseline takes deltas from another run, added when not listed", async () => {
    const { json } = await cliJson(f.dir, "compare", "qa", "v2", "--baseline", "v1", "trial_run");
    expect(json.runs.map((r: any) => r.run_id)).toEqual(["v1", "v2", "trial_run"]);
    expect(json.baseline).toBe("v1");
    expect(json.metrics.find((m: any) => m.name === "accuracy").deltas).toEqual([null, 0, -0.25]);
  });

  test("--only-changed hides equal rows", async () => {
    const r = await cli(f.dir, "compare", "qa", "v1", "v2", "--only-changed");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^f1 /m);
    expect(r.stdout).not.toMatch(/^accuracy /m);
    expect(r.stdout).not.toMatch(/^cost_usd /m);
    const { json } = await cliJson(f.dir, "compare", "qa", "v1", "v2", "--only-changed");
    expect(json.metrics.every((m: any) => m.changed)).toBe(true);
  });

  test("--cases finds exactly the cases that changed", async () => {
    const r = await cli(f.dir, "compare", "qa", "v1", "v2", "--cases");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("CASES v2 against v1: 1 better, 1 worse, 1 changed, 0 added, 0 removed, 1 same");
    expect(r.stdout).toMatch(/^ {2}worse {4}q1 {2}correct 1 → 0 {2}output "Paris" → "Nice"$/m);
    expect(r.stdout).toMatch(/^ {2}better {3}q2 {2}correct 0 → 1/m);
    expect(r.stdout).toMatch(/^ {2}changed {2}q3 {2}output "4" → "four"$/m);
    expect(r.stdout).not.toContain("q4");
    // q1 pass→fail, q2 fail→pass over the 4 common cases: exact McNemar p = 1, within noise.
    expect(r.stdout).toMatch(/^ {2}correct: \+0\.000 \[.*\] over 4 common cases, p=1\.0 \(mcnemar, 1 up 1 down\), Holm p=1\.0 within noise$/m);

    const { json } = await cliJson(f.dir, "compare", "qa", "v1", "v2", "--cases");
    expect(json.cases.baseline).toBe("v1");
    const [run] = json.cases.runs;
    expect(run.counts).toEqual({ better: 1, worse: 1, changed: 1, added: 0, removed: 0, same: 1 });
    expect(run.cases.map((c: any) => [c.case, c.status])).toEqual([["q1", "worse"], ["q2", "better"], ["q3", "changed"]]);
    expect(run.cases[0]).toEqual({
      case: "q1",
      status: "worse",
      baseline: { output: "Paris", scores: { correct: 1 } },
      run: { output: "Nice", scores: { correct: 0 } },
      score_deltas: { correct: -1 },
    });
    expect(run.paired).toEqual([expect.objectContaining({ scorer: "correct", test: "mcnemar", n: 4, diff: 0, p: 1, p_holm: 1, significant: false, better: 1, worse: 1 })]);
  });

  test("a run named twice or unknown is exit 2", async () => {
    expect((await cli(f.dir, "compare", "qa", "v1", "v1")).stderr).toContain('run "v1" is named twice');
    const r = await cli(f.dir, "compare", "qa", "v1", "zz");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scryptorum list-runs qa");
    expect((await cli(f.dir, "compare", "qa", "v1")).code).toBe(2);
  });
});
