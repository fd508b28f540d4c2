/**
 * The timer's encoder (src/core/spanline.ts) writes its timing lines straight into the
 * writer's buffer. Every line must be byte for byte what the string path (Run.recordSpan)
 * writes for the same span: same keys, order, values and formats.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Experiment } from "../../../src/core/experiment";
import { SPAN_PREFIX, SpanContext, runtime, type Context } from "../../../src/core/runtime";
import { SpanLine } from "../../../src/core/spanline";
import { timer } from "../../../src/index";
import { withRun } from "../../../src/tracking/context";
import { readLines, tempProject } from "../../helpers/project";

const TIME_ORIGIN = performance.timeOrigin;

/** performance.now() value whose wall clock is `ms` (Date.now() units) plus a fraction. */
const perfAt = (ms: number) => ms - TIME_ORIGIN + 0.25;

describe("SpanLine", () => {
  test("writes exactly the line Run.recordSpan writes, for names, durations, ids, parents and times that need care", () => {
    const { project } = tempProject();
    const run = new Experiment(project, "enc").createRun("milestone", "run.one_v2-ü".replace("ü", "u"));
    const base = Date.UTC(2026, 0, 1, 23, 59, 59, 998);
    const names = ["work", 'say "hi"', "back\\slash", "tab\there", "\u0007bell", "ünïcödé 名前 🎉", "lone \ud800 surrogate", "x".repeat(300)];
    const durations = [0, 0.0004, 0.0005, 0.001, 0.0104, 0.05, 0.1, 0.12, 0.999, 1, 1.234567, 12.3456, 999.9999, 1999999.9994, 1999999.9996, 2e6, 123456789.5, 1e21, -0.0001, -5];
    const numbers = [1, 9, 10, 99, 100, 2147483647, 2147483648, 9007199254740991];
    const parents: Context[] = [
      { run },
      { run, spanId: "foreign-7" },
      { run, spanId: "ünï 🎉" },
      new SpanContext(run, 42),
      new SpanContext(run, 4294967296),
    ];
    const times = [0, 0, 1, 2, 2, 1000, 1001, 60_000, 1];
    const pairs: string[] = [];
    let k = 0;
    // With a plugin registered (by another test file in this process) both take the general path.
    const plugins = runtime.plugins.splice(0);
    try {
      for (const name of names) {
        const opJson = JSON.stringify(name);
        const line = new SpanLine(opJson);
        for (const ms of durations) {
          for (const n of numbers) {
            const parent = parents[k % parents.length]!;
            const end = perfAt(base + times[k % times.length]!);
            k++;
            line.write(run, n, parent, ms, end);
            run.recordSpan(opJson, Math.round(ms * 1000) / 1000, SPAN_PREFIX + n, parent.spanId, undefined, end);
            pairs.push(name);
          }
        }
      }
    } finally {
      runtime.plugins.push(...plugins);
    }
    run.finish();
    const lines = readFileSync(run.timingsFile, "utf8").split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(pairs.length * 2);
    for (let i = 0; i < lines.length; i += 2) expect(lines[i]).toBe(lines[i + 1]!);
    // And they are what a reader expects, not just equal to each other.
    const first = JSON.parse(lines[0]!);
    expect(first).toEqual({ timestamp: new Date(base).toISOString(), run_id: "run.one_v2-u", operation: "work", duration_ms: 0, span_id: `${SPAN_PREFIX}1` });
    const records = lines.map((l) => JSON.parse(l));
    expect(records.find((r) => r.duration_ms === 1.235 && r.parent_span_id === `${SPAN_PREFIX}42`)).toBeDefined();
    expect(new Set(records.map((r) => r.timestamp))).toEqual(new Set(times.map((t) => new Date(base + t).toISOString())));
  });

  test("a span's id is built only when asked, and is the prefix and its number", () => {
    const { project } = tempProject();
    const run = new Experiment(project, "ids").createRun("milestone");
    const span = new SpanContext(run, 1234);
    expect(span.spanId).toBe(`${SPAN_PREFIX}1234`);
    expect(span.spanId).toBe(span.spanId);
    run.finish();
  });
});

describe("timer()(fn) through the encoder", () => {
  test("nested sync timers, an async child started inside a sync one, and a failure each record their parent", async () => {
    const { project } = tempProject();
    const run = new Experiment(project, "nest").createRun("milestone");
    let later: Promise<number> | undefined;
    const leaf = timer("leaf")((x: number) => x * 2);
    const asyncLeaf = timer("async_leaf")(async (x: number) => {
      await Bun.sleep(5);
      return x + 1;
    });
    const inner = timer("inner")((x: number) => leaf(x) + 1);
    const outer = timer("outer")((x: number) => {
      // Runs after `outer` has returned: it must still see `outer` as its parent.
      later = new Promise((r) => setTimeout(r, 2)).then(() => asyncLeaf(x));
      return inner(x);
    });
    const boom = timer("boom")(() => {
      throw new Error("no");
    });
    withRun(run, () => {
      expect(outer(3)).toBe(7);
      expect(() => boom()).toThrow("no");
    });
    expect(await later).toBe(4);
    run.finish();
    const t = readLines(run.timingsFile);
    const by = (op: string) => t.find((r) => r.operation === op)!;
    expect(t.map((r) => r.operation).sort()).toEqual(["async_leaf", "boom", "inner", "leaf", "outer"]);
    expect(by("outer").parent_span_id).toBeUndefined();
    expect(by("inner").parent_span_id).toBe(by("outer").span_id);
    expect(by("leaf").parent_span_id).toBe(by("inner").span_id);
    expect(by("async_leaf").parent_span_id).toBe(by("outer").span_id);
    expect(by("boom").error).toBe("no");
    expect(new Set(t.map((r) => r.span_id)).size).toBe(5);
    for (const r of t) {
      expect(Object.keys(r).slice(0, 5)).toEqual(["timestamp", "run_id", "operation", "duration_ms", "span_id"]);
      expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(r.timestamp) - Date.now())).toBeLessThan(60_000);
    }
    expect(by("async_leaf").duration_ms).toBeGreaterThanOrEqual(4);
  });

  test("one timer used by two runs in turn writes each run's id into each run's file", () => {
    const { project } = tempProject();
    const exp = new Experiment(project, "two");
    const a = exp.createRun("milestone", "a");
    const b = exp.createRun("milestone", "b");
    const f = timer("f")(() => 1);
    for (let i = 0; i < 3; i++) {
      withRun(a, f);
      withRun(b, f);
    }
    a.finish();
    b.finish();
    expect(readLines(a.timingsFile).map((r) => [r.run_id, r.operation])).toEqual(Array(3).fill(["a", "f"]));
    expect(readLines(b.timingsFile).map((r) => [r.run_id, r.operation])).toEqual(Array(3).fill(["b", "f"]));
  });

  test("a timing after its run's files closed is dropped when the writer may not reopen (a worker that outlived its trial)", () => {
    const { project } = tempProject();
    const run = new Experiment(project, "late").createRun("milestone");
    const f = timer("late")(() => 1);
    withRun(run, f);
    run.finish();
    run.spanSink.writer.mayReopen = () => false;
    const plugins = runtime.plugins.splice(0);
    try {
      expect(withRun(run, f)).toBe(1);
    } finally {
      runtime.plugins.push(...plugins);
    }
    run.spanSink.writer.mayReopen = undefined;
    expect(readLines(run.timingsFile).map((r) => r.operation)).toEqual(["late"]);
  });

  test("40,000 timings through the buffer (it fills and resets several times): every line whole, in order", () => {
    const { project } = tempProject();
    const run = new Experiment(project, "many").createRun("milestone");
    const f = timer("tick")((i: number) => i);
    withRun(run, () => {
      for (let i = 0; i < 40_000; i++) f(i);
    });
    run.finish();
    const t = readLines(run.timingsFile);
    expect(t).toHaveLength(40_000);
    const ids = t.map((r) => Number(String(r.span_id).slice(SPAN_PREFIX.length)));
    for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1]! + 1) throw new Error(`line ${i + 1} out of order`);
  });
});
