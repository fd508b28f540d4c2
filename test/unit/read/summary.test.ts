import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment, Project } from "../../../src/index";
import { LlmAggregator, MetricAggregator, TimingAggregator, caseKeyOf } from "../../../src/read/aggregate";
import { SpanCollector } from "../../../src/read/spans";
import { DurationBag, percentile } from "../../../src/read/stats";
import { figureOf, readRunReport } from "../../../src/read/summary";
import { compareReports } from "../../../src/read/compare";

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe("stats", () => {
  test.each([
    [[], 0.5, 0],
    [[5], 0.95, 5],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4], 0.95, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 95],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.5, 50],
  ])("percentile(%j, %d)", (xs, p, expected) => expect(percentile(Float64Array.from(xs), p)).toBe(expected));

  test("DurationBag grows past its first buffer and sorts once", () => {
    const bag = new DurationBag();
    for (let i = 1000; i >= 1; i--) bag.add(i);
    expect(bag.stats()).toEqual({ count: 1000, total_ms: 500500, mean_ms: 500.5, p50_ms: 500, p95_ms: 950, max_ms: 1000 });
  });
});

describe("aggregators", () => {
  test("metrics: last value, min/max/mean over numbers, order first logged", () => {
    const m = new MetricAggregator();
    for (const r of [
      { name: "loss", value: 0.9, type: "loss", step: 0 },
      { name: "acc", value: 0.5 },
      { name: "loss", value: 0.3, type: "loss", step: 1 },
      { name: "loss", value: "n/a", type: "loss" },
      { value: 1 },
    ]) m.add(r);
    expect(m.result()).toEqual([
      { name: "loss", type: "loss", last: "n/a", count: 3, min: 0.3, max: 0.9, mean: 0.6, last_step: null },
      { name: "acc", type: "custom", last: 0.5, count: 1, min: 0.5, max: 0.5, mean: 0.5, last_step: null },
    ]);
  });

  test("timings: per operation, with errors", () => {
    const t = new TimingAggregator();
    t.add({ operation: "a", duration_ms: 10 });
    t.add({ operation: "a", duration_ms: 30, error: "boom" });
    t.add({ operation: "b", duration_ms: 1 });
    t.add({ operation: "c" });
    expect(t.result()).toEqual([
      { operation: "a", count: 2, total_ms: 40, mean_ms: 20, p50_ms: 10, p95_ms: 30, max_ms: 30, errors: 1 },
      { operation: "b", count: 1, total_ms: 1, mean_ms: 1, p50_ms: 1, p95_ms: 1, max_ms: 1, errors: 0 },
    ]);
  });

  test("LLM calls: tokens, cost (null when none reported), models, the slowest", () => {
    const l = new LlmAggregator(2);
    l.add({ model: "m1", duration_ms: 100, usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 }, cost_usd: 0.1, case: "q1" });
    l.add({ model: "m2", duration_ms: 300, usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6, cached_tokens: 4 }, error: "rate limited" });
    l.add({ model: "m1", duration_ms: 200, cost_usd: 0.2, id: 7 });
    const r = l.result();
    expect(r).toMatchObject({ calls: 3, errors: 1, input_tokens: 15, output_tokens: 3, total_tokens: 18, cached_tokens: 4, cost_usd: 0.3 });
    expect(r.duration).toMatchObject({ count: 3, p50_ms: 200, max_ms: 300 });
    expect(r.models).toEqual([
      { model: "m1", calls: 2, errors: 0, input_tokens: 10, output_tokens: 2, cost_usd: 0.3, total_ms: 300 },
      { model: "m2", calls: 1, errors: 1, input_tokens: 5, output_tokens: 1, cost_usd: null, total_ms: 300 },
    ]);
    expect(r.slowest.map((s) => [s.model, s.duration_ms, s.case, s.error])).toEqual([["m2", 300, null, true], ["m1", 200, "7", false]]);
    expect(new LlmAggregator().result().cost_usd).toBeNull();
  });

  test.each([
    [{ case: "q1" }, "q1"],
    [{ id: 3 }, "3"],
    [{ case_id: "x" }, "x"],
    [{ caseId: "y" }, "y"],
    [{ input: "hi" }, null],
  ])("caseKeyOf(%j)", (r, key) => expect(caseKeyOf(r)).toBe(key));
});

describe("span tree", () => {
  test("merges siblings with one name, nests by parent, orders by start", () => {
    const s = new SpanCollector();
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    // Records are written when spans end: children first.
    s.add({ operation: "retrieve", duration_ms: 5, span_id: "r1", parent_span_id: "p", timestamp: at(10) }, "timing");
    for (let i = 0; i < 3; i++) s.add({ model: "gpt-4o", duration_ms: 20, span_id: `l${i}`, parent_span_id: "p", timestamp: at(40 + i * 20) }, "llm", i === 2);
    s.add({ operation: "pipeline", duration_ms: 100, span_id: "p", timestamp: at(100) }, "timing");
    s.add({ operation: "orphan", duration_ms: 1, span_id: "o", parent_span_id: "gone", timestamp: at(200) }, "timing");
    expect(s.tree()).toEqual([
      {
        name: "pipeline", kind: "timing", count: 1, total_ms: 100, errors: 0,
        children: [
          { name: "retrieve", kind: "timing", count: 1, total_ms: 5, errors: 0, children: [] },
          { name: "gpt-4o", kind: "llm", count: 3, total_ms: 60, errors: 1, children: [] },
        ],
      },
      { name: "orphan", kind: "timing", count: 1, total_ms: 1, errors: 0, children: [] },
    ]);
  });

  test("a cycle of parents does not loop", () => {
    const s = new SpanCollector();
    s.add({ operation: "a", duration_ms: 1, span_id: "a", parent_span_id: "b" }, "timing");
    s.add({ operation: "b", duration_ms: 1, span_id: "b", parent_span_id: "a" }, "timing");
    expect(s.tree()).toEqual([]);
  });
});

describe("readRunReport", () => {
  test("reads a run made through the API; a torn line is skipped with one warning", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "scry-read-")));
    temps.push(dir);
    const project = Project.init(dir, { name: "demo", gitignore: false });
    const run = new Experiment(project, "qa").createRun("trial", undefined, { config: { k: 1 } });
    run.logMetric("accuracy", 0.5);
    run.logMetric("accuracy", 0.7);
    run.logLlmCall({ model: "m", input: "q", output: "a", durationMs: 12, usage: { prompt_tokens: 3, completion_tokens: 1 }, costUsd: 0.5 });
    run.logTiming("load", 4);
    run.logEvent("dataset_loaded", { rows: 3 });
    run.addTags("t1");
    run.finish();
    appendFileSync(run.metricsFile, '{"name":"accuracy","val');
    const skipped: string[] = [];
    const r = readRunReport(run.dir, { onSkipped: (path, lines) => skipped.push(`${path}:${lines}`) });
    expect(skipped).toEqual([`${run.metricsFile}:3`]);
    expect(r).toMatchObject({ run_id: "trial_run", run_type: "trial", status: "finished", tags: ["t1"], note: null, config: { k: 1 }, git: null });
    expect(r.metrics).toEqual([{ name: "accuracy", type: "custom", last: 0.7, count: 2, min: 0.5, max: 0.7, mean: 0.6, last_step: null }]);
    expect(r.events).toMatchObject({ run_started: 1, llm_call: 1, dataset_loaded: 1, run_finished: 1 });
    expect(r.figures).toMatchObject({ llm_calls: 1, tokens: 4, cost_usd: 0.5 });
    expect(figureOf(r, "accuracy")).toBe(0.7);
    expect(figureOf(r, "cost_usd")).toBe(0.5);
    expect(figureOf(r, "nothing")).toBeUndefined();
    expect(compareReports([r, r]).metrics[0]).toEqual({ name: "accuracy", values: [0.7, 0.7], deltas: [null, 0], lower_is_better: false, changed: false });
  });
});

describe("span tree", () => {
  test("an llmCall's event and timing share a span id and show as one LLM node", () => {
    const { SpanCollector } = require("../../../src/read/spans");
    const spans = new SpanCollector();
    const ts = "2026-01-01T00:00:01.000Z";
    spans.add({ operation: "step", duration_ms: 10, span_id: "p", timestamp: ts }, "timing");
    spans.add({ operation: "ask", duration_ms: 4, span_id: "c", parent_span_id: "p", timestamp: ts }, "timing");
    spans.add({ model: "gpt-4o", duration_ms: 4, span_id: "c", parent_span_id: "p", timestamp: ts }, "llm");
    const tree = spans.tree();
    expect(tree).toHaveLength(1);
    expect(tree[0].children.map((c: { kind: string; name: string; count: number }) => [c.kind, c.name, c.count])).toEqual([["llm", "gpt-4o", 1]]);
  });
});
