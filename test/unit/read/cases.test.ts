import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment, Project } from "../../../src/index";
import { compareCases, readCases, type CaseResult } from "../../../src/read/cases";

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const cases = (entries: Record<string, [unknown, Record<string, unknown>]>) =>
  new Map<string, CaseResult>(Object.entries(entries).map(([k, [output, scores]]) => [k, { output, scores }]));

describe("compareCases", () => {
  test("better, worse, changed, added, removed; same ones only counted", () => {
    const base = cases({ a: ["x", { score: 1 }], b: ["y", { score: 0 }], c: ["z", {}], d: ["w", { score: 1, loss: 0.2 }], e: ["same", { score: 1 }], gone: ["g", {}] });
    const run = cases({ a: ["x", { score: 0 }], b: ["y", { score: 1 }], c: ["Z", {}], d: ["w", { score: 1, loss: 0.5 }], e: ["same", { score: 1 }], new: ["n", {}] });
    const r = compareCases({ run_id: "v1", cases: base }, [{ run_id: "v2", cases: run }]);
    expect(r.baseline).toBe("v1");
    expect(r.runs[0]!.counts).toEqual({ better: 1, worse: 2, changed: 1, added: 1, removed: 1, same: 1 });
    expect(r.runs[0]!.cases.map((c) => [c.case, c.status, c.score_deltas])).toEqual([
      ["a", "worse", { score: -1 }],
      ["d", "worse", { loss: 0.3 }],
      ["b", "better", { score: 1 }],
      ["c", "changed", {}],
      ["new", "added", {}],
      ["gone", "removed", {}],
    ]);
  });

  test("mixed score moves are 'changed'; --lower-is-better turns a score around", () => {
    const base = cases({ a: ["x", { acc: 0.5, wer: 0.2 }] });
    const run = cases({ a: ["x", { acc: 0.6, wer: 0.3 }] });
    expect(compareCases({ run_id: "1", cases: base }, [{ run_id: "2", cases: run }]).runs[0]!.cases[0]!.status).toBe("better");
    expect(compareCases({ run_id: "1", cases: base }, [{ run_id: "2", cases: run }], { lowerIsBetter: ["wer"] }).runs[0]!.cases[0]!.status).toBe("changed");
  });
});

describe("readCases", () => {
  test("pairs by case/id/case_id/caseId, else by input text; several calls keep a list", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "scry-cases-")));
    temps.push(dir);
    const run = new Experiment(Project.init(dir, { name: "demo", gitignore: false }), "qa").createRun();
    run.logLlmCall({ model: "m", input: "q1", output: "a1", durationMs: 1, case: "k1" });
    run.logLlmCall({ model: "m", input: "q2", output: "a2", durationMs: 1, id: 2 });
    run.logLlmCall({ model: "m", input: "q3", output: "a3", durationMs: 1, case_id: "k3" });
    run.logLlmCall({ model: "m", input: "q4", output: "a4", durationMs: 1, caseId: "k4" });
    run.logLlmCall({ model: "m", input: { text: "free" }, output: "a5", durationMs: 1 });
    run.logLlmCall({ model: "m", input: { text: "free" }, output: "a6", durationMs: 1 });
    run.logMetric("score", 1, "score", { case: "k1" });
    run.logMetric("score", 0, "score", { id: 2 });
    run.logMetric("accuracy", 0.5);
    run.finish();
    const got = readCases(run.dir);
    expect([...got.keys()]).toEqual(["k1", "2", "k3", "k4", '{"text":"free"}']);
    expect(got.get("k1")).toEqual({ output: "a1", scores: { score: 1 } });
    expect(got.get("2")).toEqual({ output: "a2", scores: { score: 0 } });
    expect(got.get('{"text":"free"}')).toEqual({ output: ["a5", "a6"], scores: {} });
  });
});
