/**
 * Evaluations through the compiled binary: a dataset file, a prompt, three scorers,
 * concurrency 8; case_result records, aggregate metrics with intervals, compare --cases.
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

/** A project whose `qa` experiment has 200 cases, a prompt, and an eval module. */
async function evalProject(): Promise<{ dir: string; exp: string }> {
  const dir = tempDir("scry-eval-");
  expect((await bin(["init", "--project-name", "evals"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "evals", "experiments", "qa");
  const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `q${i}`, input: { a: i, b: 2 }, expected: String(i * 2) }));
  writeFiles(exp, {
    "data/qa.jsonl": `${rows.join("\n")}\n`,
    "prompts/ask.md": "What is {{a}} times {{b}}? Answer with a number.",
  });
  writeFiles(dir, {
    // FLIP (an env variable) makes cases 0..FLIP-1 wrong: a second run that regresses.
    "eval.ts": `import { dataset, evaluate, exactMatch, includes, prompt, regex } from "scryptorum";
const flip = Number(process.env.FLIP ?? 0);
export default async function main() {
  const ask = prompt("ask");
  const { summary } = await evaluate({
    data: dataset("qa"),
    task: async (input: { a: number; b: number }, c) => {
      ask.render(input);
      await new Promise((r) => setTimeout(r, 1));
      return Number(c.id.slice(1)) < flip ? "wrong" : String(input.a * input.b);
    },
    scores: { exact: exactMatch(), digits: regex(/^\\d+$/), has_expected: includes() },
    concurrency: 8,
  });
  console.error("summary", JSON.stringify(summary.scores.exact));
}
`,
    "missing-var.ts": `import { evaluate, prompt } from "scryptorum";
export default async function main() {
  let calls = 0;
  await evaluate({
    data: [{ input: { a: 1 } }],
    task: (input: { a: number }) => { const text = prompt("ask").render(input); calls++; return text; },
    scores: { any: () => 1 },
  });
  throw new Error("not reached " + calls);
}
`,
  });
  return { dir, exp };
}

test("an eval of 200 cases, 3 scorers, concurrency 8: 200 case_result records, aggregates with intervals; compare --cases pairs the flips", async () => {
  const { dir, exp } = await evalProject();
  const a = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "good", "--json"], { cwd: dir });
  expect(a.code).toBe(0);
  const good = JSON.parse(a.stdout);
  expect(good.status).toBe("finished");
  expect(good.metrics).toMatchObject({ exact: 1, digits: 1, has_expected: 1 });

  const events = jsonl(join(exp, "runs", "good", "run.jsonl"));
  const results = events.filter((e) => e.event_type === "case_result");
  expect(results).toHaveLength(200);
  expect(new Set(results.map((r) => r.case_id)).size).toBe(200);
  expect(results.find((r) => r.case_id === "q7")).toMatchObject({ trial: 0, input: { a: 7, b: 2 }, output: "14", expected: "14", scores: { exact: 1, digits: 1, has_expected: 1 } });
  expect(typeof results[0].duration_ms).toBe("number");
  expect(events.find((e) => e.event_type === "eval_started")).toMatchObject({ dataset: "qa", cases: 200, trials: 1 });
  const metrics = jsonl(join(exp, "runs", "good", "metrics.jsonl"));
  const exact = metrics.find((m) => m.name === "exact");
  expect(exact).toMatchObject({ value: 1, type: "eval", n: 200, stderr: 0 });
  // Wilson's interval at 200/200: below 1, above 0.98.
  expect(exact.ci_low).toBeGreaterThan(0.98);
  expect(exact.ci_low).toBeLessThan(1);
  expect(exact.ci_high).toBe(1);

  const b = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "worse", "--json"], { cwd: dir, env: { FLIP: "10" } });
  expect(b.code).toBe(0);
  expect(JSON.parse(b.stdout).metrics.exact).toBe(0.95);
  const cmp = await bin(["compare", "qa", "good", "worse", "--cases", "--json"], { cwd: dir });
  expect(cmp.code).toBe(0);
  const report = JSON.parse(cmp.stdout);
  const json = JSON.stringify(report);
  for (let i = 0; i < 10; i++) expect(json).toContain(`"q${i}"`);
  expect(json).not.toContain(`"q10"`);
  expect(json).toMatch(/"worse":10/);
}, 120_000);

test("a missing prompt variable is a clear error before any model call", async () => {
  const { dir } = await evalProject();
  const r = await bin(["run", "qa", "-m", "missing-var.ts"], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('prompt "ask" needs "b": pass it to render({ b: … })');
}, 60_000);
