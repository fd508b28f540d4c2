/**
 * Telling noise from change through the compiled binary: `compare --cases` pairs the exact
 * flips with a p-value and says whether the dataset is the same; `check --significant`
 * passes a 1-case change and fails a 20-case regression (of 200).
 */
import { beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const row = (i: number) => JSON.stringify({ id: `q${i}`, input: i, expected: String(i) });

test("compare --cases: 10 of 200 flips paired exactly with a p-value, dataset same or changed; check --significant gates on the paired difference", async () => {
  const dir = tempDir("scry-gate-");
  expect((await bin(["init", "--project-name", "evals"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "evals", "experiments", "qa");
  writeFiles(exp, { "data/qa.jsonl": `${Array.from({ length: 200 }, (_, i) => row(i)).join("\n")}\n` });
  // WRONG="a-b" makes cases a..b-1 answer wrong.
  writeFiles(dir, {
    "eval.ts": `import { dataset, evaluate, exactMatch } from "scryptorum";
const [from, to] = (process.env.WRONG ?? "0-0").split("-").map(Number);
// FLAKY=n: cases below n answer wrong on their second call only (one trial of three).
const flaky = Number(process.env.FLAKY ?? 0);
const calls = new Map<number, number>();
export default async function main() {
  await evaluate({
    data: dataset("qa"),
    task: (i: number) => {
      const n = (calls.get(i) ?? 0) + 1;
      calls.set(i, n);
      return (i >= from! && i < to!) || (i < flaky && n === 2) ? "wrong" : String(i);
    },
    scores: { exact: exactMatch() },
    concurrency: 8,
    trials: Number(process.env.TRIALS ?? 1),
    progress: false,
  });
}
`,
  });
  const run = async (id: string, wrong: string, env: Record<string, string> = {}) => {
    const r = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", id], { cwd: dir, env: { WRONG: wrong, ...env } });
    expect(r.code).toBe(0);
  };
  await run("base", "0-0");
  await run("one", "0-1");
  await run("ten", "0-10");
  await run("twenty", "0-20");

  const cmp = await bin(["compare", "qa", "base", "ten", "--cases", "--json"], { cwd: dir });
  expect(cmp.code).toBe(0);
  const report = JSON.parse(cmp.stdout);
  const ten = report.cases.runs[0];
  expect(ten.counts).toEqual({ better: 0, worse: 10, changed: 0, added: 0, removed: 0, same: 190 });
  expect(ten.cases.map((c: any) => c.case).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`).sort());
  expect(ten.cases.every((c: any) => c.status === "worse" && c.score_deltas.exact === -1)).toBe(true);
  // Exact McNemar: 10 discordant pairs, all one way: p = 2 / 2^10.
  expect(ten.paired[0]).toMatchObject({ scorer: "exact", test: "mcnemar", n: 200, worse: 10, better: 0, p: 0.001953125, significant: true });
  expect(ten.paired[0].diff).toBeCloseTo(-0.05, 12);
  expect(report.datasets).toMatchObject([{ run_id: "base", status: "baseline" }, { run_id: "ten", status: "same", text: "same dataset" }]);
  const text = await bin(["compare", "qa", "base", "ten", "--cases"], { cwd: dir });
  expect(text.stdout).toContain('dataset "qa" (200 cases) in base*; ten: same dataset');
  expect(text.stdout).toContain("exact: -0.050 [");
  expect(text.stdout).toContain("over 200 common cases, p=0.0020 (mcnemar, 0 up 10 down)");

  const check = (id: string, limit: string, significant = true) =>
    bin(["check", "qa", id, "--baseline", "base", "--max-regression", `exact=${limit}`, ...(significant ? ["--significant"] : []), "--json"], { cwd: dir });
  const one = await check("one", "0.02");
  expect(one.code).toBe(0);
  const twenty = await check("twenty", "0.02");
  expect(twenty.code).toBe(1);
  const verdict = JSON.parse(twenty.stdout).results[0];
  expect(verdict).toMatchObject({ passed: false, regression: 0.1, paired: { test: "mcnemar", worse: 20, better: 0, significant: true } });
  expect(verdict.message).toContain("exact regressed by 0.1 against base (paired mcnemar on 200 common cases, 20 down 0 up: p=1.9e-6");
  expect(verdict.message).toContain("over the allowed 0.02 and significant");
  // Over the limit but within noise: fails without --significant, passes with it.
  expect((await check("one", "0", false)).code).toBe(1);
  const noise = await check("one", "0");
  expect(noise.code).toBe(0);
  expect(JSON.parse(noise.stdout).results[0].message).toContain("over the allowed 0 but within noise (--significant)");
  const bad = await bin(["check", "qa", "one", "--metric", "exact>=0.5", "--significant"], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--significant is for regression limits");

  // Three trials, five cases flaky: show and compare --cases list them with the variance.
  await run("trials", "0-0", { TRIALS: "3", FLAKY: "5" });
  const show = await bin(["show", "qa", "trials", "--json"], { cwd: dir });
  const f = JSON.parse(show.stdout).flakiness;
  expect(f).toMatchObject({ trials: 3, cases: 200, scorers: { exact: { cases: 200, flaky: 5 } } });
  expect(f.flaky.map((c: any) => c.case_id).sort()).toEqual(["q0", "q1", "q2", "q3", "q4"]);
  expect(f.flaky[0].scores.exact).toEqual(expect.arrayContaining([0, 1]));
  // Variance of (1, 0, 1) is 1/3; five cases of 200.
  expect(f.scorers.exact.mean_case_variance).toBeCloseTo(5 / 3 / 200, 12);
  const shown = await bin(["show", "qa", "trials"], { cwd: dir });
  expect(shown.stdout).toContain("FLAKY CASES 5 of 200 cases disagree across 3 trials");
  expect(shown.stdout).toMatch(/ {2}q[0-4] {2}exact [01], [01], [01]/);
  const exactMetric = JSON.parse((await bin(["list-runs", "qa", "--json"], { cwd: dir })).stdout).find((r: any) => r.run_id === "trials");
  expect(exactMetric.metrics.exact).toBeCloseTo(1 - 5 / 600, 12);
  const cmpTrials = await bin(["compare", "qa", "base", "trials", "--cases"], { cwd: dir });
  expect(cmpTrials.stdout).toContain("FLAKY CASES 5 of 200 cases in trials disagree across 3 trials");

  // Three cases added, one removed: compare says so.
  writeFileSync(join(exp, "data", "qa.jsonl"), `${Array.from({ length: 203 }, (_, i) => row(i)).slice(1).join("\n")}\n`);
  await run("more", "0-0");
  const changed = await bin(["compare", "qa", "base", "more"], { cwd: dir });
  expect(changed.stdout).toContain('dataset "qa" (200 cases) in base*; more: dataset changed (+3 -1 cases)');
}, 120_000);
