/**
 * The budget of an evaluation through the compiled binary: maxCostUsd stops it at the cap
 * (the cases in flight reserved, never over it), marks the run partial and resumable with a
 * higher cap; a model with no price stops it after one call; progress lines per 10%.
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

async function project(): Promise<{ dir: string; exp: string }> {
  const dir = tempDir("scry-budget-");
  expect((await bin(["init", "--project-name", "evals"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "evals", "experiments", "qa");
  writeFiles(exp, { "data/qa.jsonl": `${Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: `q${i}`, input: i, expected: String(i) })).join("\n")}\n` });
  writeFiles(dir, {
    // Each case makes one call costing a cent; MODEL=unpriced logs calls without a cost.
    "eval.ts": `import { dataset, evaluate, exactMatch, getCurrentRun } from "scryptorum";
export default async function main() {
  await evaluate({
    data: dataset("qa"),
    task: async (input: number) => {
      await new Promise((r) => setTimeout(r, 2));
      const priced = process.env.MODEL !== "unpriced";
      getCurrentRun()!.logLlmCall({ model: priced ? "gpt-4o-mini" : "my-local-model", input, output: String(input), durationMs: 2, ...(priced ? { costUsd: 0.01 } : {}) });
      return String(input);
    },
    scores: { exact: exactMatch() },
    concurrency: 8,
    maxCostUsd: 0.3,
  });
}
`,
  });
  return { dir, exp };
}

test("maxCostUsd stops at the cap with the cases in flight reserved; the run is partial and resumes with a higher cap; progress per 10%", async () => {
  const { dir, exp } = await project();
  const r = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "capped", "--json"], { cwd: dir });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ status: "finished", tags: ["partial"] });
  const run = join(exp, "runs", "capped");
  const events = jsonl(join(run, "run.jsonl"));
  const calls = events.filter((e) => e.event_type === "llm_call");
  const spent = calls.reduce((a, e) => a + e.cost_usd, 0);
  // Never over the cap, and stopped at it: 30 one-cent cases.
  expect(spent).toBeLessThanOrEqual(0.3 + 1e-9);
  expect(calls).toHaveLength(30);
  expect(events.filter((e) => e.event_type === "case_result")).toHaveLength(30);
  expect(events.find((e) => e.event_type === "eval_budget_reached")).toMatchObject({ max_cost_usd: 0.3, remaining: 70, partial: true });
  expect(r.stderr).toContain("eval qa: stopped at the budget ($0.3000 of $0.3); 70 cases not run: resume with scryptorum run qa … --resume capped --max-cost-usd <higher>");

  const more = await bin(["run", "qa", "-m", "eval.ts", "--resume", "capped", "--max-cost-usd", "5", "--json"], { cwd: dir });
  expect(more.code).toBe(0);
  const after = JSON.parse(more.stdout);
  expect(after.tags).not.toContain("partial");
  expect(after.metrics.exact).toBe(1);
  expect(jsonl(join(run, "run.jsonl")).filter((e) => e.event_type === "case_result")).toHaveLength(100);
  // Not a terminal: one line per 10% of the 70 cases to run, then the last.
  const lines = more.stderr.split("\n").filter((l) => l.startsWith("eval qa: ") && l.includes("/70 ("));
  expect(lines.map((l) => l.match(/\((\d+)%\)/)![1])).toEqual(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
  expect(lines[0]).toMatch(/^eval qa: 7\/70 \(10%\), 0 errors, \$0\.0700, ETA \d+s$/);

  const bad = await bin(["run", "qa", "-m", "eval.ts", "--max-cost-usd", "lots"], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--max-cost-usd lots is not an amount");
}, 60_000);

test("a budget with a model that has no price stops after the first call: the cap could never trip", async () => {
  const { dir, exp } = await project();
  const r = await bin(["run", "qa", "-m", "eval.ts"], { cwd: dir, env: { MODEL: "unpriced" } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('the cost of a call to model "my-local-model" is unknown');
  expect(r.stderr).toContain('add its price to "prices" in .scryptorum');
  const events = jsonl(join(exp, "runs", "trial_run", "run.jsonl"));
  expect(events.filter((e) => e.event_type === "llm_call")).toHaveLength(1);
}, 60_000);

test("two evaluations at once each keep their own budget: the uncapped one's spend does not stop the capped one", async () => {
  const { dir, exp } = await project();
  writeFiles(dir, {
    "two.ts": `import { evaluate, getCurrentRun } from "scryptorum";
const cases = (p: string) => Array.from({ length: 30 }, (_, i) => ({ id: p + i, input: i }));
// Each case makes one call costing a cent.
const task = async (input: number) => {
  await new Promise((r) => setTimeout(r, 3));
  getCurrentRun()!.logLlmCall({ model: "gpt-4o-mini", input, output: String(input), durationMs: 3, costUsd: 0.01 });
  return input;
};
export default async function main() {
  const [capped, free] = await Promise.all([
    evaluate({ data: cases("a"), task, scores: { ok: () => 1 }, concurrency: 4, maxCostUsd: 0.1, progress: false }),
    evaluate({ data: cases("b"), task, scores: { ok: () => 1 }, concurrency: 4, progress: false }),
  ]);
  console.error(JSON.stringify([capped.summary, free.summary].map((s) => ({ ran: s.ran, cost: Math.round(s.cost_usd * 100), stopped: s.stopped ?? null }))));
}
`,
  });
  const r = await bin(["run", "qa", "-m", "two.ts"], { cwd: dir });
  expect(r.code).toBe(0);
  // Spending is per evaluate() call: 10 one-cent cases for the one capped at $0.10, all 30 for the other.
  expect(JSON.parse(r.stderr.trim().split("\n").at(-1)!)).toEqual([
    { ran: 10, cost: 10, stopped: "budget" },
    { ran: 30, cost: 30, stopped: null },
  ]);
  const events = jsonl(join(exp, "runs", "trial_run", "run.jsonl"));
  expect(events.filter((e) => e.event_type === "case_result" && e.case_id.startsWith("a"))).toHaveLength(10);
  expect(events.find((e) => e.event_type === "eval_budget_reached")).toMatchObject({ max_cost_usd: 0.1, remaining: 20 });
}, 60_000);
