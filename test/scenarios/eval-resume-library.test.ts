/**
 * Resuming from the library: experiment({ resume }) reopens a run and evaluate() runs only
 * the missing cases; a changed scorer is refused and the run is put back as it was.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate, experiment } from "../../src/index";
import { readLines, tempProject } from "../helpers/project";

test("experiment({ resume }) runs only the cases without a result; a changed scorer is refused, the run untouched", async () => {
  const { root } = tempProject();
  const data = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, input: i }));
  const calls: number[] = [];
  const exact = ({ output, input }: { output: unknown; input: number }) => output === input;
  const body = (down: boolean, scores: Record<string, any> = { exact }) => async () => {
    await evaluate({
      data,
      task: (i: number) => {
        calls.push(i);
        if (down && i >= 15) throw new Error("provider down");
        return i;
      },
      scores,
      progress: false,
    });
  };
  await experiment({ name: "lib", projectRoot: root, runType: "milestone", runId: "v1" })(body(true))();
  expect(calls).toHaveLength(20);
  const dir = join(root, "experiments", "lib", "runs", "v1");
  const before = { json: readFileSync(join(dir, "run.json"), "utf8"), log: readFileSync(join(dir, "run.jsonl"), "utf8") };

  await expect(experiment({ name: "lib", projectRoot: root, resume: "v1" })(body(false, { exact, other: () => 1 }))()).rejects.toThrow('cannot resume run "v1": scorer other added');
  expect(readFileSync(join(dir, "run.json"), "utf8")).toBe(before.json);
  expect(readFileSync(join(dir, "run.jsonl"), "utf8")).toBe(before.log);

  calls.length = 0;
  await experiment({ name: "lib", projectRoot: root, resume: "v1" })(body(false))();
  expect(calls.sort((a, b) => a - b)).toEqual([15, 16, 17, 18, 19]);
  const ok = readLines(join(dir, "run.jsonl")).filter((e) => e.event_type === "case_result" && !e.error);
  expect(ok.map((e) => e.case_id).sort()).toEqual(data.map((d) => d.id).sort());
  expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))).toMatchObject({ status: "finished", run_type: "milestone", resumes: [{ previous_status: "finished" }] });
});

test("a run's second evaluate() over the same cases runs them all (it is another evaluation, not a resume); resuming keeps each evaluation's own results", async () => {
  const { root } = tempProject();
  const data = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, input: i }));
  const calls: string[] = [];
  const exact = ({ output, input }: { output: unknown; input: number }) => output === input;
  const two = (down: boolean) => async () => {
    const a = await evaluate({ data, task: (i: number) => (calls.push(`a${i}`), i), scores: { exact }, progress: false });
    const b = await evaluate({
      data,
      task: (i: number) => {
        calls.push(`b${i}`);
        if (down && i >= 7) throw new Error("provider down");
        return i + 1;
      },
      scores: { exact },
      progress: false,
    });
    return [a, b];
  };
  const [a, b] = (await experiment({ name: "two", projectRoot: root, runType: "milestone", runId: "v1" })(two(true))()) as any[];
  expect(calls.filter((c) => c.startsWith("a"))).toHaveLength(10);
  expect(calls.filter((c) => c.startsWith("b"))).toHaveLength(10);
  expect(a.results).toHaveLength(10);
  expect(b.results).toHaveLength(10);
  expect(a.summary.scores.exact.mean).toBe(1);
  expect(b.summary.scores.exact.mean).toBe(0);
  expect(b.summary.skipped).toBe(0);
  const log = join(root, "experiments", "two", "runs", "v1", "run.jsonl");
  const lines = readLines(log).filter((e) => e.event_type === "case_result");
  expect(lines.filter((e) => e.eval_index === undefined)).toHaveLength(10);
  expect(lines.filter((e) => e.eval_index === 1)).toHaveLength(10);

  calls.length = 0;
  await experiment({ name: "two", projectRoot: root, resume: "v1" })(two(false))();
  // The first evaluation is complete; the second reruns only its 3 failed cases.
  expect(calls.sort()).toEqual(["b7", "b8", "b9"]);
  const ok = readLines(log).filter((e) => e.event_type === "case_result" && !e.error);
  expect(ok.filter((e) => e.eval_index === 1).map((e) => e.case_id).sort()).toEqual(data.map((d) => d.id).sort());
});

test("timeoutMs: what a timed-out task still spends is not charged to the worker's next case", async () => {
  const { root } = tempProject();
  const { getCurrentRun } = await import("../../src/index");
  let fastStarted!: () => void;
  let lateLogged!: () => void;
  const started = new Promise<void>((r) => (fastStarted = r));
  const logged = new Promise<void>((r) => (lateLogged = r));
  const body = async () => {
    await evaluate({
      data: [{ id: "slow", input: 0 }, { id: "fast", input: 1 }],
      task: async (i: number) => {
        if (i === 0) {
          await started; // only after this case timed out (concurrency 1)
          getCurrentRun()!.logLlmCall({ model: "m", input: "late", output: "x", durationMs: 1, costUsd: 0.5 });
          lateLogged();
          return i;
        }
        fastStarted();
        await logged; // the slow case's late call lands while this case runs
        getCurrentRun()!.logLlmCall({ model: "m", input: "own", output: "y", durationMs: 1, costUsd: 0.01 });
        return i;
      },
      scores: { ok: () => true },
      timeoutMs: 200,
      concurrency: 1,
      progress: false,
    });
  };
  await experiment({ name: "tmo", projectRoot: root, runType: "milestone", runId: "v1" })(body)();
  const rows = readLines(join(root, "experiments", "tmo", "runs", "v1", "run.jsonl")).filter((e) => e.event_type === "case_result");
  const byId = Object.fromEntries(rows.map((r) => [r.case_id, r]));
  expect(byId.slow.error.name).toBe("TimeoutError");
  expect(byId.fast.error).toBeUndefined();
  expect(byId.fast.cost_usd).toBe(0.01);
});

test("compare --cases, rescore and flakiness read a run's first evaluation (a later evaluate() carries eval_index)", async () => {
  const { root } = tempProject();
  const data = Array.from({ length: 4 }, (_, i) => ({ id: `c${i}`, input: i }));
  const exact = ({ output, input }: { output: unknown; input: number }) => output === input;
  await experiment({ name: "ix", projectRoot: root, runType: "milestone", runId: "v1" })(async () => {
    await evaluate({ data, task: (i: number) => i, scores: { exact }, progress: false, trials: 2 });
    await evaluate({ data, task: (i: number) => -1 - i, scores: { exact }, progress: false, trials: 2 });
  })();
  const dir = join(root, "experiments", "ix", "runs", "v1");
  const { readCaseResults } = await import("../../src/eval/rescore");
  const stored = [...readCaseResults(dir).values()];
  expect(stored).toHaveLength(8);
  expect(stored.every((r) => r.output === r.input)).toBe(true);
  const { readFlakiness } = await import("../../src/read/flaky");
  expect(readFlakiness(dir)?.flaky ?? []).toEqual([]);
});
