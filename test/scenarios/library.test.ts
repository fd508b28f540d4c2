/**
 * The library used as a user would: wrappers, decorators, runnables, concurrency.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BaseRunnable,
  Experiment,
  Runner,
  RunType,
  batchProcessor,
  experiment,
  getCurrentRun,
  llmCall,
  metric,
  registry,
  setDefaultRunType,
  timer,
} from "../../src/index";
import { readJson, readLines, tempProject } from "../helpers/project";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("decorator-style experiment", () => {
  test("timers, five LLM calls and two metrics land in trial_run", async () => {
    const { root, dir } = tempProject();
    class Pipeline {
      @timer("load_data")
      async load() {
        await sleep(2);
        return ["great", "awful", "fine", "love it", "meh"];
      }
      @llmCall({ model: "gpt-4o-mini" })
      async classify(text: string) {
        return { choices: [{ message: { content: text.length > 4 ? "positive" : "negative" } }], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } };
      }
      @metric({ name: "accuracy", type: "accuracy" })
      accuracy() {
        return 0.8;
      }
      @metric("f1")
      f1() {
        return 0.75;
      }
    }
    const p = new Pipeline();
    const main = experiment({ name: "sentiment", projectRoot: root })(async () => {
      const reviews = await p.load();
      for (const r of reviews) await p.classify(r);
      p.accuracy();
      p.f1();
      return "done";
    });
    expect(await main()).toBe("done");

    const runDir = join(root, "experiments/sentiment/runs/trial_run");
    const events = readLines(join(runDir, "run.jsonl"));
    expect(events.map((e) => e.event_type)).toEqual(["run_started", ...Array(5).fill("llm_call"), "run_finished"]);
    const calls = events.filter((e) => e.event_type === "llm_call");
    expect(calls.map((c) => c.input)).toEqual(["great", "awful", "fine", "love it", "meh"]);
    for (const c of calls) {
      expect(c.model).toBe("gpt-4o-mini");
      expect(c.usage).toEqual({ input_tokens: 10, output_tokens: 1, total_tokens: 11 });
      expect(c.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(c.run_id).toBe("trial_run");
      expect(typeof c.span_id).toBe("string");
    }
    const metrics = readLines(join(runDir, "metrics.jsonl"));
    expect(metrics.map((m) => [m.name, m.value, m.type])).toEqual([
      ["accuracy", 0.8, "accuracy"],
      ["f1", 0.75, "custom"],
    ]);
    const timings = readLines(join(runDir, "timings.jsonl"));
    expect(timings.map((t) => t.operation)).toEqual(["load_data", "classify", "classify", "classify", "classify", "classify"]);
    expect(timings[0].duration_ms).toBeGreaterThanOrEqual(1);
    const meta = readJson(join(runDir, "run.json"));
    expect(meta).toMatchObject({ format: 1, run_id: "trial_run", run_type: "trial", experiment: "sentiment", project: "demo", status: "finished" });
    expect(meta.metrics_summary).toEqual({ accuracy: 0.8, f1: 0.75 });
    expect(meta.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(runDir, "code_snapshot"))).toBe(false);
    expect(dir).toBeTruthy();
  });

  test("wrappers outside a run are transparent and write nothing", () => {
    const { root } = tempProject();
    const f = timer("x")((a: number, b: number) => a + b);
    const m = metric("m")(() => 3);
    const l = llmCall("gpt")((q: string) => q.toUpperCase());
    expect(f(1, 2)).toBe(3);
    expect(m()).toBe(3);
    expect(l("hi")).toBe("HI");
    expect(getCurrentRun()).toBeUndefined();
    expect(readdirSync(join(root, "experiments"))).toEqual([]);
  });

  test("sync stays sync; errors are recorded and rethrown; names default to the function's", () => {
    const { root } = tempProject();
    function parse(x: string) {
      if (x === "bad") throw new Error("cannot parse");
      return x.length;
    }
    const tparse = timer()(parse);
    const main = experiment({ name: "sync", projectRoot: root })(() => {
      const n = tparse("abc");
      expect(n).toBe(3);
      expect(() => tparse("bad")).toThrow("cannot parse");
      return n;
    });
    const result = main();
    expect(result).toBe(3); // not a Promise
    const timings = readLines(join(root, "experiments/sync/runs/trial_run/timings.jsonl"));
    expect(timings.map((t) => [t.operation, t.error])).toEqual([
      ["parse", undefined],
      ["parse", "cannot parse"],
    ]);
    expect(tparse.name).toBe("parse");
  });

  test("a failing experiment is marked failed with the error and rethrows", async () => {
    const { root } = tempProject();
    const main = experiment({ name: "boom", projectRoot: root })(async () => {
      await sleep(1);
      throw new TypeError("model exploded");
    });
    await expect(main()).rejects.toThrow("model exploded");
    const meta = readJson(join(root, "experiments/boom/runs/trial_run/run.json"));
    expect(meta.status).toBe("failed");
    expect(meta.error).toMatchObject({ name: "TypeError", message: "model exploded" });
    expect(meta.error.stack).toContain("model exploded");
    const events = readLines(join(root, "experiments/boom/runs/trial_run/run.jsonl"));
    expect(events.at(-1)).toMatchObject({ event_type: "run_failed", error: { message: "model exploded" } });
  });

  test("legacy experimentalDecorators form (prototype, key, descriptor) works", () => {
    const { root } = tempProject();
    class Legacy {
      work(x: number) {
        return x * 2;
      }
    }
    const desc = Object.getOwnPropertyDescriptor(Legacy.prototype, "work")!;
    const out = (timer() as any)(Legacy.prototype, "work", desc);
    Object.defineProperty(Legacy.prototype, "work", out);
    experiment({ name: "legacy", projectRoot: root })(() => new Legacy().work(2))();
    const timings = readLines(join(root, "experiments/legacy/runs/trial_run/timings.jsonl"));
    expect(timings.map((t) => t.operation)).toEqual(["work"]);
  });

  test("run type: option > SCRYPTORUM_RUN_TYPE > setDefaultRunType() > trial", () => {
    const { root } = tempProject();
    const ids: string[] = [];
    const fn = () => void ids.push(`${getCurrentRun()!.type}`);
    setDefaultRunType(RunType.MILESTONE);
    process.env.SCRYPTORUM_RUN_TYPE = "trial";
    try {
      experiment({ name: "rt", projectRoot: root })(fn)();
      experiment({ name: "rt", projectRoot: root, runType: "milestone", runId: "opt" })(fn)();
      delete process.env.SCRYPTORUM_RUN_TYPE;
      experiment({ name: "rt", projectRoot: root, runId: "dflt" })(fn)();
      setDefaultRunType(undefined);
      experiment({ name: "rt", projectRoot: root })(fn)();
    } finally {
      delete process.env.SCRYPTORUM_RUN_TYPE;
      setDefaultRunType(undefined);
    }
    expect(ids).toEqual(["trial", "milestone", "milestone", "trial"]);
  });
});

describe("class-based and manual", () => {
  test("a BaseRunnable milestone with a custom id writes artifacts as JSON and a code snapshot", async () => {
    const { root } = tempProject();
    const phases: string[] = [];
    class Sentiment extends BaseRunnable<{ model: string }> {
      prepare() {
        phases.push("prepare");
        this.run.logEvent("model_configured", { model: this.config.model });
      }
      async execute() {
        phases.push("execute");
        this.run.preserveArtifacts({ predictions: ["pos", "neg"], summary: { n: 2 } });
        this.run.saveArtifact("notes/readme.txt", "hello");
      }
      score() {
        phases.push("score");
        this.run.logMetric("accuracy", 0.5, "accuracy");
      }
      cleanup() {
        phases.push("cleanup");
      }
    }
    const run = await new Runner(root).runExperiment("sentiment", { runnable: Sentiment, runType: "milestone", runId: "v1", config: { model: "gpt-4o" } });
    expect(phases).toEqual(["prepare", "execute", "score", "cleanup"]);
    expect(run.id).toBe("v1");
    const dir = join(root, "experiments/sentiment/runs/v1");
    expect(readJson(join(dir, "artifacts/predictions.json"))).toEqual(["pos", "neg"]);
    expect(readJson(join(dir, "artifacts/summary.json"))).toEqual({ n: 2 });
    expect(existsSync(join(dir, "artifacts/notes/readme.txt"))).toBe(true);
    expect(existsSync(join(dir, "code_snapshot"))).toBe(true);
    expect(existsSync(join(dir, "snapshot_manifest.json"))).toBe(true);
    expect(existsSync(join(dir, "environment.json"))).toBe(true);
    expect(readJson(join(dir, "run.json"))).toMatchObject({ status: "finished", run_type: "milestone", config: { model: "gpt-4o" } });
  });

  test("cleanup always runs; a failing phase marks the run failed and rethrows", async () => {
    const { root } = tempProject();
    let cleaned = false;
    class Broken extends BaseRunnable {
      execute() {
        throw new Error("phase failed");
      }
      cleanup() {
        cleaned = true;
      }
    }
    await expect(new Runner(root).runExperiment("broken", { runnable: Broken })).rejects.toThrow("phase failed");
    expect(cleaned).toBe(true);
    const meta = readJson(join(root, "experiments/broken/runs/trial_run/run.json"));
    expect(meta.status).toBe("failed");
    expect(meta.error.message).toBe("phase failed");
    expect(meta.error.stack).toContain("phase failed");
  });

  test("mixed manual and wrapper logging keeps extra metric fields", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "mixed");
    const run = exp.createRun();
    run.logMetric("loss", 0.5, "loss", { step: 1, split: "val", camelExtra: true });
    run.logLlmCall({ model: "m", input: "q", output: "a", durationMs: 5, costUsd: 0.01, caseId: "c1", usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
    run.logEvent("custom", { timestamp: "user's", run_id: "nope", event_type: "nope", value: 1 });
    run.finish();
    const metrics = readLines(run.metricsFile);
    expect(metrics[0]).toMatchObject({ name: "loss", value: 0.5, type: "loss", step: 1, split: "val", camelExtra: true });
    const events = readLines(run.logFile);
    const call = events.find((e) => e.event_type === "llm_call")!;
    expect(call).toMatchObject({ model: "m", input: "q", output: "a", duration_ms: 5, cost_usd: 0.01, caseId: "c1", usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 } });
    const custom = events.find((e) => e.event_type === "custom")!;
    expect(custom.run_id).toBe("trial_run");
    expect(custom.timestamp).not.toBe("user's");
    expect(custom.value).toBe(1);
  });

  test("five experiments running concurrently each get their own run", async () => {
    const { root } = tempProject();
    const ask = llmCall("m")(async (q: string) => {
      await sleep(Math.random() * 5);
      return q;
    });
    const names = ["e1", "e2", "e3", "e4", "e5"];
    await Promise.all(
      names.map((name) =>
        experiment({ name, projectRoot: root })(async () => {
          for (let i = 0; i < 10; i++) await ask(`${name}-${i}`);
          getCurrentRun()!.logMetric("who", name === "e3" ? 3 : 0);
        })(),
      ),
    );
    for (const name of names) {
      const events = readLines(join(root, `experiments/${name}/runs/trial_run/run.jsonl`)).filter((e) => e.event_type === "llm_call");
      expect(events.map((e) => e.input)).toEqual(Array.from({ length: 10 }, (_, i) => `${name}-${i}`));
    }
  });

  test("parallel LLM calls in an async experiment each log the right parent span", async () => {
    const { root } = tempProject();
    const ask = llmCall("m")(async (q: string) => {
      await sleep(Math.random() * 5);
      return q;
    });
    const step = timer("step")(async (k: number) => Promise.all([ask(`${k}a`), ask(`${k}b`)]));
    await experiment({ name: "spans", projectRoot: root })(async () => {
      await Promise.all([step(1), step(2), step(3)]);
    })();
    const dir = join(root, "experiments/spans/runs/trial_run");
    const steps = readLines(join(dir, "timings.jsonl")).filter((t) => t.operation === "step");
    const calls = readLines(join(dir, "run.jsonl")).filter((e) => e.event_type === "llm_call");
    expect(steps).toHaveLength(3);
    expect(calls).toHaveLength(6);
    const spanIds = new Set(calls.map((c) => c.span_id));
    expect(spanIds.size).toBe(6);
    // Each step's two calls point at that step's span; which step is which we learn from input order.
    const byParent = new Map<string, string[]>();
    for (const c of calls) byParent.set(c.parent_span_id, [...(byParent.get(c.parent_span_id) ?? []), c.input]);
    expect(byParent.size).toBe(3);
    for (const s of steps) expect(byParent.has(s.span_id)).toBe(true);
    for (const inputs of byParent.values()) expect(inputs.map((i) => i[0]).every((d) => d === inputs[0]![0])).toBe(true);
  });

  test("run.time, startTimer with using, tags and note", async () => {
    const { root } = tempProject();
    const run = new Experiment(root, "t").createRun(RunType.MILESTONE, "tagged");
    const value = await run.time("fetch", async () => {
      await sleep(2);
      return 7;
    });
    expect(value).toBe(7);
    {
      using _t = run.startTimer("block");
      await sleep(1);
    }
    run.addTags("baseline", "gpt-4o", "baseline");
    run.setNote("first try");
    run.finish();
    run.finish(); // harmless
    const timings = readLines(run.timingsFile);
    expect(timings.map((t) => t.operation)).toEqual(["fetch", "block"]);
    const meta = readJson(join(run.dir, "run.json"));
    expect(meta.tags).toEqual(["baseline", "gpt-4o"]);
    expect(meta.note).toBe("first try");
    expect(meta.status).toBe("finished");
  });

  test("saveArtifact refuses names that would leave artifacts/", () => {
    const { root } = tempProject();
    const run = new Experiment(root, "art").createRun(RunType.MILESTONE);
    for (const bad of ["../x", "..", "/etc/passwd", "a/../../b", "%2e%2e/x", "a\0b", ""]) {
      expect(() => run.saveArtifact(bad, "x")).toThrow(/artifact name/);
    }
    expect(() => run.preserveArtifacts({ "../evil": 1 })).toThrow(/artifact name/);
    run.finish();
    expect(readdirSync(join(run.dir, "artifacts"))).toEqual([]);
  });

  test("your code sees the real config; run.json holds it redacted", async () => {
    const { root } = tempProject();
    let seen: Record<string, unknown> = {};
    class Uses extends BaseRunnable<{ api_key: string; model: string }> {
      execute() {
        seen = { ...this.config, fromRun: this.run.config.api_key };
      }
    }
    const run = await new Runner(root).runExperiment("cfg", { runnable: Uses, config: { api_key: "sk-real", model: "m" } });
    expect(seen).toEqual({ api_key: "sk-real", model: "m", fromRun: "sk-real" });
    expect(readJson(join(run.dir, "run.json")).config).toEqual({ api_key: "[redacted]", model: "m" });
    expect(run.info.config).toEqual({ api_key: "[redacted]", model: "m" });
  });

  test("a config holding a function or a BigInt still gives a run.json (those values as the logs make them)", () => {
    const { root } = tempProject();
    const scorer = (x: number) => x;
    const run = new Experiment(root, "fn-config").createRun("milestone", "f", { config: { scorer, seed: 42n, model: "m" } });
    expect(run.config.scorer).toBe(scorer);
    run.finish();
    expect(readJson(join(run.dir, "run.json")).config).toEqual({ seed: "42", model: "m" });
  });

  test("an attached run's finish() lets go of its files: 2,000 attach/finish cycles keep the open files flat", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "fds");
    const owner = exp.createRun("milestone", "o");
    const open = () => readdirSync("/proc/self/fd").length;
    const before = open();
    for (let i = 0; i < 2000; i++) {
      const w = exp.openRun("o");
      w.logEvent("tick", { i });
      w.finish();
    }
    expect(open() - before).toBeLessThan(10);
    owner.finish();
    expect(readFileSync(owner.logFile, "utf8").split("\n").filter((l) => l.includes('"tick"'))).toHaveLength(2000);
  });

  test("a line too large for the buffer, then a small record: the background flush still writes it", async () => {
    const { root } = tempProject();
    const run = new Experiment(root, "big").createRun();
    await Bun.sleep(150);
    run.logMetric("m", 1); // written at once (idle)
    run.logMetric("m", 2); // buffered: arms the flush timer
    await Bun.sleep(60);
    run.logEvent("huge", { payload: "h".repeat(400_000) }); // too big for the buffer: written alone
    await Bun.sleep(70); // the timer fired meanwhile, with nothing of run.jsonl's to write
    run.logEvent("small"); // buffered (less than 100 ms after the huge write)
    await Bun.sleep(300); // a timer, not finish(), must write it
    expect(readFileSync(run.logFile, "utf8")).toContain('"event_type":"small"');
    run.finish();
  });

  test("a terminal status is never overwritten", () => {
    const { root } = tempProject();
    const run = new Experiment(root, "term").createRun();
    run.fail(new Error("first"));
    run.finish();
    run.interrupt("SIGINT");
    expect(readJson(join(run.dir, "run.json")).status).toBe("failed");
  });
});

describe("runs and experiments", () => {
  test("milestone ids are unique when started in the same second", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "ms");
    const runs = [exp.createRun("milestone"), exp.createRun("milestone"), exp.createRun("milestone")];
    for (const r of runs) r.finish();
    const ids = runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^ms-\d{8}-\d{6}$/);
    expect(() => exp.createRun("milestone", ids[0])).toThrow(`run "${ids[0]}" already exists`);
    expect(() => exp.createRun("trial", "x")).toThrow("only for milestone runs");
    expect(() => exp.createRun("milestone", "trial_run")).toThrow("reserved");
  });

  test("a trial empties trial_run; a live trial blocks another", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "tr");
    const first = exp.createRun();
    first.logEvent("from_first");
    expect(() => exp.createRun()).toThrow("still running");
    first.finish();
    const second = exp.createRun();
    second.finish();
    const events = readLines(second.logFile).map((e) => e.event_type);
    expect(events).toEqual(["run_started", "run_finished"]);
  });

  test("a run written by a newer format is refused naming the version, and left out of listRuns()", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "future");
    exp.createRun("milestone", "old").finish();
    const newer = exp.createRun("milestone", "newer");
    newer.finish();
    const path = join(newer.dir, "run.json");
    writeFileSync(path, JSON.stringify({ ...readJson(path), format: 2, scryptorum_version: "2.0.0" }));
    expect(exp.listRuns().map((r) => r.run_id)).toEqual(["old"]);
    expect(() => exp.openRun("newer")).toThrow(/written by scryptorum 2\.0\.0 \(format 2; this is scryptorum \S+, format 1\): upgrade scryptorum to read it/);
  });

  test("a corrupted metrics line does not stop listRuns()", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "corrupt");
    const run = exp.createRun("milestone", "a");
    run.logMetric("acc", 0.5);
    run.logMetric("acc", 0.6);
    run.flush();
    appendFileSync(run.metricsFile, '{"name":"acc","value":0.7\nnot json at all\n');
    run.logMetric("loss", 1.5);
    run.flush();
    // a running run is summarised from its file; the bad lines are skipped with a warning
    const listed = exp.listRuns();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ run_id: "a", run_type: "milestone", status: "running", metrics: { acc: 0.6, loss: 1.5 } });
    run.finish();
    expect(exp.listRuns()[0]!.status).toBe("finished");
  });

  test("openRun attaches: appends to logs, and its finish() only flushes", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "attach");
    const owner = exp.createRun("milestone", "shared");
    const worker = exp.openRun("shared");
    worker.logEvent("from_worker", { n: 1 });
    worker.logMetric("w", 2);
    worker.finish();
    expect(readJson(join(owner.dir, "run.json")).status).toBe("running");
    owner.finish();
    // Lines from two writers are ordered by when each flushed, so compare as a set.
    expect(readLines(owner.logFile).map((e) => e.event_type).sort()).toEqual(["from_worker", "run_finished", "run_started"]);
    expect(readJson(join(owner.dir, "run.json")).metrics_summary).toEqual({ w: 2 });
    expect(() => exp.openRun("nope")).toThrow('run "nope" does not exist');
  });

  test("batchProcessor keeps input order, logs batches, rethrows after in-flight items settle", async () => {
    const { root } = tempProject();
    let inFlight = 0;
    let maxInFlight = 0;
    const double = batchProcessor({ batchSize: 4, parallel: 2 })(async (x: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(Math.random() * 4);
      inFlight--;
      return x * 2;
    });
    const exp = experiment({ name: "batch", projectRoot: root })(async () => double([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(await exp()).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(maxInFlight).toBe(2);
    const batches = readLines(join(root, "experiments/batch/runs/trial_run/run.jsonl")).filter((e) => e.event_type === "batch_processed");
    expect(batches.map((b) => [b.batch_index, b.size, b.failures])).toEqual([
      [0, 4, 0],
      [1, 4, 0],
      [2, 2, 0],
    ]);
    let settled = 0;
    const failing = batchProcessor({ batchSize: 3, parallel: true })(async (x: number) => {
      await sleep(x === 1 ? 1 : 10);
      settled++;
      if (x === 1) throw new Error("item 1 failed");
      return x;
    });
    await expect(failing([1, 2, 3])).rejects.toThrow("item 1 failed");
    expect(settled).toBe(3);
  });

  test("a throwing plugin is reported once and never breaks the run", () => {
    const { root } = tempProject();
    const seen: string[] = [];
    registry.register({ name: "good", onRunStart: () => void seen.push("start"), onEvent: (r) => void seen.push(String(r.event_type ?? r.name)), onRunFinish: () => void seen.push("finish") });
    registry.register({ name: "bad", onEvent: () => { throw new Error("plugin bug"); } });
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (s: string) => (errors.push(String(s)), true);
    try {
      const run = new Experiment(root, "plug").createRun();
      run.logMetric("m", 1);
      run.logEvent("e");
      run.finish();
    } finally {
      (process.stderr as any).write = write;
      registry.clear();
    }
    expect(seen).toEqual(["run_started", "start", "m", "e", "run_finished", "finish"]);
    expect(errors.filter((e) => e.includes('plugin "bad"'))).toHaveLength(1);
  });
});

describe("snapshot size limit", () => {
  test(".scryptorum snapshot.max_file_bytes (and the maxFileBytes option) set the limit", () => {
    const { dir } = tempProject();
    const anchor = join(dir, ".scryptorum");
    writeFileSync(anchor, JSON.stringify({ ...readJson(anchor), snapshot: { max_file_bytes: 20 } }));
    writeFileSync(join(dir, "small.ts"), "export {};\n");
    writeFileSync(join(dir, "big.ts"), `export const big = "${"x".repeat(100)}";\n`);
    const { Project } = require("../../src/index");
    const exp = new Experiment(Project.find(dir), "limits");
    const run = exp.createRun("milestone", "a", { cwd: dir });
    run.finish();
    const manifest = readJson(join(run.dir, "snapshot_manifest.json"));
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain("small.ts");
    expect(manifest.excluded.find((e: { path: string }) => e.path === "big.ts").reason).toMatch(/over .* limit/);
    const bigger = exp.createRun("milestone", "b", { cwd: dir, maxFileBytes: 1 << 20 });
    bigger.finish();
    expect(readJson(join(bigger.dir, "snapshot_manifest.json")).files.map((f: { path: string }) => f.path)).toContain("big.ts");
    writeFileSync(anchor, JSON.stringify({ ...readJson(anchor), snapshot: { max_file_bytes: -1 } }));
    expect(() => new Experiment(Project.find(dir), "limits").createRun("milestone", "c", { cwd: dir })).toThrow(/snapshot.max_file_bytes in .scryptorum/);
    expect(existsSync(join(exp.runsDir, "c"))).toBe(false);
  });
});
