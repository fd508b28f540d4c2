/**
 * `scryptorum rescore` through the compiled binary: a finished eval's stored outputs scored
 * with changed scorers into a new run, with no call of the task's model.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

test("rescore: new scorers over a finished run's outputs into a new run; no model call; bad input exits 2 with nothing written", async () => {
  const dir = tempDir("scry-rescore-");
  expect((await bin(["init", "--project-name", "rs"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "rs", "experiments", "qa");
  const rows = Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `q${i}`, input: { a: i }, expected: `Answer ${i}` }));
  writeFiles(exp, { "data/qa.jsonl": `${rows.join("\n")}\n`, "prompts/ask.md": "Say {{a}}." });
  writeFiles(dir, {
    // The stand-in model answers in lower case for even cases, and fails on q29.
    "eval.ts": `import { dataset, evaluate, exactMatch, llmCall, prompt } from "scryptorum";
const model = llmCall("stand-in")(async (text: string, a: number) => {
  if (a === 29) throw new Error("model down");
  return a % 2 ? \`Answer \${a}\` : \`answer \${a}\`;
});
export default async function main() {
  const ask = prompt("ask");
  await evaluate({ data: dataset("qa"), task: (input: { a: number }) => model(ask.render(input), input.a), scores: { exact: exactMatch() }, trials: 2 });
}
`,
    "scorers.ts": `import { exactMatch } from "scryptorum";
export const scores = {
  exact_ci: exactMatch({ ignoreCase: true }),
  long: ({ output }: { output: string }) => ({ score: output.length > 8, reason: \`\${output.length} characters\` }),
};
`,
    "empty.ts": "export const nothing = 1;\n",
  });
  const first = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "orig", "--json"], { cwd: dir });
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout).metrics.exact).toBeCloseTo(14 / 29, 6);
  // Two trials that always agree: the case is the unit, so n is 29 cases and the interval is
  // Wilson's over 29 (by hand: [0.3139, 0.6557]), not over the 58 results.
  const exact = jsonl(join(exp, "runs", "orig", "metrics.jsonl")).find((m) => m.name === "exact");
  expect(exact).toMatchObject({ n: 29, results: 58 });
  expect(exact.ci_low).toBeCloseTo(0.3139, 3);
  expect(exact.ci_high).toBeCloseTo(0.6557, 3);

  const r = await bin(["rescore", "qa", "orig", "-m", "scorers.ts", "--milestone", "--run-id", "rescored", "--json"], { cwd: dir });
  expect(r.stderr).toContain("started rescored (milestone) of experiment \"qa\": rescoring orig with exact_ci, long");
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ run_id: "rescored", run_type: "milestone", status: "finished", rescored_from: "orig", metrics: { exact_ci: 1 } });
  expect(out.metrics.long).toBeCloseTo(19 / 29, 6); // cases 10..28 answer in 9 characters or more

  const events = jsonl(join(exp, "runs", "rescored", "run.jsonl"));
  expect(events.filter((e) => e.event_type === "llm_call")).toHaveLength(0);
  expect(events.find((e) => e.event_type === "rescore_started")).toMatchObject({ from_run: "orig", cases: 30, trials: 2, results: 60, scorers: ["exact_ci", "long"] });
  const results = events.filter((e) => e.event_type === "case_result");
  expect(results).toHaveLength(60);
  const orig = jsonl(join(exp, "runs", "orig", "run.jsonl")).filter((e) => e.event_type === "case_result");
  const q4 = results.find((x) => x.case_id === "q4" && x.trial === 1);
  expect(q4).toMatchObject({ input: { a: 4 }, output: "answer 4", expected: "Answer 4", scores: { exact_ci: 1, long: 0 }, reasons: { long: "8 characters" } });
  expect(q4.prompts).toEqual(orig.find((x) => x.case_id === "q4" && x.trial === 1).prompts);
  // The failed case keeps its error and is not scored.
  expect(results.find((x) => x.case_id === "q29")).toMatchObject({ error: { message: "model down" }, scores: {} });
  // compare --cases pairs the two runs by case.
  const cmp = await bin(["compare", "qa", "orig", "rescored", "--cases", "--json"], { cwd: dir });
  expect(cmp.code).toBe(0);

  // Bad input: exit 2, no run written.
  const runs = () => jsonl(join(exp, "runs", "orig", "run.jsonl")).length;
  const before = runs();
  const bad: [string[], string][] = [
    [["rescore", "qa", "nope", "-m", "scorers.ts"], 'run "nope" does not exist in experiment "qa"'],
    [["rescore", "qa", "orig", "-m", "missing.ts"], "--module missing.ts: no such file"],
    [["rescore", "qa", "orig", "-m", "empty.ts"], "empty.ts exports no scorers"],
    [["rescore", "qa", "orig", "-m", "scorers.ts", "--run-id", "x"], "--run-id is only for milestone runs"],
    [["rescore", "qa", "orig", "-m", "scorers.ts", "--milestone", "--run-id", "rescored"], "rescored"],
    [["rescore", "qa", "orig"], "--module"],
  ];
  for (const [args, message] of bad) {
    const b = await bin(args, { cwd: dir });
    expect({ args, code: b.code }).toEqual({ args, code: 2 });
    expect(b.stderr).toContain(message);
  }
  expect(existsSync(join(exp, "runs", "trial_run"))).toBe(false);
  expect(existsSync(join(exp, "runs", "x"))).toBe(false);
  expect(runs()).toBe(before);
}, 120_000);
