/**
 * Several processes, crashes and signals: the guarantees of the JSONL store and the run
 * lifecycle, checked with real child processes.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Experiment } from "../../src/index";
import { readJsonl } from "../../src/core/jsonl";
import { readJson, tempProject } from "../helpers/project";

const FIXTURES = join(import.meta.dir, "../fixtures/children");

function spawnChild(script: string, args: string[]) {
  return Bun.spawn([process.execPath, join(FIXTURES, script), ...args], { stdout: "pipe", stderr: "pipe" });
}

async function waitFor(proc: ReturnType<typeof spawnChild>, marker: string) {
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child ended before ${marker}: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

describe("several processes", () => {
  test("4 processes attached with openRun append 2,500 events each (2% of 200 KiB) to one run", async () => {
    const { root } = tempProject();
    const owner = new Experiment(root, "multi").createRun("milestone", "shared");
    const procs = [0, 1, 2, 3].map((w) => spawnChild("append.ts", [root, "multi", "shared", String(w), "2500"]));
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    owner.finish();
    const text = readFileSync(owner.logFile, "utf8");
    const lines = text.split("\n").filter(Boolean);
    let big = 0;
    const perWorker = [0, 0, 0, 0];
    const seen = new Set<string>();
    for (const line of lines) {
      const r = JSON.parse(line); // every line parses
      if (r.event_type !== "work") continue;
      perWorker[r.worker]++;
      seen.add(`${r.worker}:${r.i}`);
      if (r.payload.length === 200 * 1024) big++;
      else expect(r.payload).toBe("s".repeat(100));
    }
    expect(perWorker).toEqual([2500, 2500, 2500, 2500]);
    expect(seen.size).toBe(10_000);
    expect(big).toBe(4 * 50);
  }, 120_000);
});

describe("attached processes", () => {
  test.each([["ends"], ["exit"]])("a child attached through SCRYPTORUM_RUN_DIR that %s keeps its records, tags and joins with experiment()", async (how) => {
    const { root } = tempProject();
    const exp = new Experiment(root, "kids");
    const owner = exp.createRun("milestone", "parent");
    const child = Bun.spawn([process.execPath, join(FIXTURES, "attached-child.ts"), how], { env: { ...process.env, SCRYPTORUM_RUN_DIR: owner.dir, SCRYPTORUM_RUN_TYPE: "milestone" }, stdout: "pipe", stderr: "pipe" });
    expect(await child.exited).toBe(0);
    owner.finish();
    const events = readFileSync(owner.logFile, "utf8");
    expect(events).toContain('"event_type":"from_child"');
    expect(readFileSync(owner.metricsFile, "utf8")).toContain('"name":"child_metric"');
    const meta = readJson(join(owner.dir, "run.json"));
    expect(meta.tags).toEqual(["from-child"]);
    expect(meta.status).toBe("finished");
    expect(meta.metrics_summary).toEqual({ child_metric: 7 });
    expect(exp.listRuns().map((r) => r.run_id)).toEqual(["parent"]); // no run of its own
  });
});

describe("workers", () => {
  test("a Worker made while SCRYPTORUM_RUN_DIR is set (after start-up) logs to that run", async () => {
    const { root } = tempProject();
    const owner = new Experiment(root, "workers").createRun("milestone", "w");
    process.env.SCRYPTORUM_RUN_DIR = owner.dir; // as `scryptorum run` sets it, at run time
    try {
      const worker = new Worker(join(FIXTURES, "worker-logs.ts"));
      const reply = await new Promise((resolve) => (worker.onmessage = (e) => resolve(e.data)));
      worker.terminate();
      expect(reply).toBe("logged");
    } finally {
      delete process.env.SCRYPTORUM_RUN_DIR;
    }
    owner.finish();
    expect(readFileSync(owner.logFile, "utf8")).toContain('"event_type":"from_worker","saw":true');
  });
});

describe("crashes and signals", () => {
  test("SIGINT handled by the user's own code: the code finishes its shutdown, the run ends interrupted", async () => {
    const { root } = tempProject();
    const proc = spawnChild("graceful.ts", [root]);
    await waitFor(proc, "READY");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
    const dir = join(root, "experiments/graceful/runs/g1");
    expect(readFileSync(join(dir, "run.jsonl"), "utf8")).toContain("saved_checkpoint");
    expect(readJson(join(dir, "run.json")).status).toBe("interrupted");
  });

  test("SIGKILL: every line but at most the last is whole; the reader returns every earlier record; status reads crashed", async () => {
    const { root } = tempProject();
    const proc = spawnChild("crash.ts", [root, "sigkill"]);
    await waitFor(proc, "READY");
    proc.kill("SIGKILL");
    await proc.exited;
    expect(proc.signalCode).toBe("SIGKILL");
    const exp = new Experiment(root, "crash");
    const path = join(exp.runsDir, "killed", "metrics.jsonl");
    const steps: number[] = [];
    readJsonl(path, (r) => void steps.push(r.step as number));
    expect(steps).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const runs = exp.listRuns();
    expect(runs[0]).toMatchObject({ run_id: "killed", status: "crashed" });
    expect(readJson(join(exp.runsDir, "killed", "run.json")).status).toBe("running");
  });

  test("a torn last line is skipped with one warning naming file and line; the next writer starts a fresh line", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "torn");
    const run = exp.createRun("milestone", "t");
    run.logMetric("a", 1);
    run.logMetric("a", 2);
    run.flush();
    appendFileSync(run.metricsFile, '{"timestamp":"2026-01-01T00:00:00.000Z","name":"a","val'); // a partial write
    const warnings: [string, number[]][] = [];
    const values: unknown[] = [];
    readJsonl(run.metricsFile, (r) => void values.push(r.value), { onSkipped: (p, l) => void warnings.push([p, l]) });
    expect(values).toEqual([1, 2]);
    expect(warnings).toEqual([[run.metricsFile, [3]]]);
    // a new writer (another process attaching) starts on a fresh line
    const attached = exp.openRun("t");
    attached.logMetric("a", 3);
    attached.finish();
    run.finish();
    const after: unknown[] = [];
    const skipped: number[][] = [];
    readJsonl(run.metricsFile, (r) => void after.push(r.value), { onSkipped: (_p, l) => void skipped.push(l) });
    expect(after).toEqual([1, 2, 3]);
    expect(skipped).toEqual([[3]]);
  });

  test("the default warning is one line on stderr naming the file and the line", async () => {
    const { dir } = tempProject();
    const file = join(dir, "x.jsonl");
    writeFileSync(file, '{"a":1}\n{"a":\n{"a":3}\n[1]\n');
    const proc = Bun.spawn([process.execPath, "-e", `import { readJsonlAll } from "${join(import.meta.dir, "../../src/core/jsonl.ts")}"; console.log(JSON.stringify(readJsonlAll(${JSON.stringify(file)})))`], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect(JSON.parse(out)).toEqual([{ a: 1 }, { a: 3 }]);
    const lines = err.trim().split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain("line 2, 4");
  });

  test("SIGINT during an LLM call: status interrupted, exit 130", async () => {
    const { root } = tempProject();
    const proc = spawnChild("crash.ts", [root, "sigint"]);
    await waitFor(proc, "READY");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    const dir = join(root, "experiments/crash/runs/sigint");
    const meta = readJson(join(dir, "run.json"));
    expect(meta.status).toBe("interrupted");
    expect(meta.finished_at).toBeTruthy();
    const events = readFileSync(join(dir, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ event_type: "run_interrupted", signal: "SIGINT" });
  });

  test("SIGTERM during an LLM call: status interrupted, exit 143", async () => {
    const { root } = tempProject();
    const proc = spawnChild("crash.ts", [root, "sigterm"]);
    await waitFor(proc, "READY");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(143);
    const meta = readJson(join(root, "experiments/crash/runs/sigterm/run.json"));
    expect(meta.status).toBe("interrupted");
  });

  test("an unhandled rejection marks the run failed with the stack", async () => {
    const { root } = tempProject();
    const proc = spawnChild("crash.ts", [root, "reject"]);
    const code = await proc.exited;
    expect(code).not.toBe(0);
    const meta = readJson(join(root, "experiments/crash/runs/rejected/run.json"));
    expect(meta.status).toBe("failed");
    expect(meta.error.message).toBe("nobody caught me");
    expect(meta.error.stack).toContain("crash.ts");
    expect(await new Response(proc.stderr).text()).toContain("nobody caught me");
  });

  test("an uncaught exception marks the run failed, and the process still ends with it", async () => {
    const { root } = tempProject();
    const proc = spawnChild("crash.ts", [root, "throw"]);
    expect(await proc.exited).toBe(1);
    const meta = readJson(join(root, "experiments/crash/runs/thrown/run.json"));
    expect(meta.status).toBe("failed");
    expect(meta.error).toMatchObject({ name: "RangeError", message: "thrown from a timer" });
    expect(await new Response(proc.stderr).text()).toContain("thrown from a timer");
  });
});
