/**
 * Resuming an evaluation through the compiled binary: killed with SIGKILL at about half,
 * `run --resume` finishes it with each case exactly once and no call repeated for a case
 * already done; a changed dataset or scorer is refused (exit 2, the run untouched) unless
 * --force; a trial resumes without being emptied.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, testEnv, writeFiles } from "../helpers/cli";

let binary = "";
beforeAll(async () => {
  binary = await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").filter((l) => l.endsWith("}")).map((l) => JSON.parse(l));
const caseRow = (i: number) => JSON.stringify({ id: `q${i}`, input: { a: i }, expected: String(i * 2) });

/** 200 cases; the task writes "<pid> <case>" to CALLS (synchronously) for every call it makes. */
async function project(): Promise<{ dir: string; exp: string; calls: string }> {
  const dir = tempDir("scry-resume-");
  expect((await bin(["init", "--project-name", "evals"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "evals", "experiments", "qa");
  const calls = join(dir, "calls.txt");
  writeFiles(exp, {
    "data/qa.jsonl": `${Array.from({ length: 200 }, (_, i) => caseRow(i)).join("\n")}\n`,
    "prompts/ask.md": "Double {{a}}.",
  });
  writeFiles(dir, {
    "eval.ts": `import { appendFileSync } from "node:fs";
import { dataset, evaluate, exactMatch, prompt } from "scryptorum";
const failFrom = Number(process.env.FAIL_FROM ?? 1e9);
export default async function main() {
  const ask = prompt("ask");
  await evaluate({
    data: dataset("qa"),
    task: async (input: { a: number }, c) => {
      ask.render(input);
      appendFileSync(${JSON.stringify(calls)}, process.pid + " " + c.id + "\\n");
      await new Promise((r) => setTimeout(r, Number(process.env.DELAY_MS ?? 0)));
      if (input.a >= failFrom) throw new Error("provider down");
      return String(input.a * 2);
    },
    scores: { exact: exactMatch() },
    concurrency: 4,
  });
}
`,
  });
  return { dir, exp, calls };
}

const callLines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]) : []);

test("an eval killed with SIGKILL at about half, then --resume: each case exactly once, no call repeated for a finished case", async () => {
  const { dir, exp, calls } = await project();
  const runDir = join(exp, "runs", "big");
  const proc = Bun.spawn([binary, "run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "big"], {
    cwd: dir, env: testEnv({ DELAY_MS: "25" }), stdout: "ignore", stderr: "ignore", stdin: "ignore",
  });
  // Kill it once about half the results are on disk.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = existsSync(join(runDir, "run.jsonl")) ? readFileSync(join(runDir, "run.jsonl"), "utf8") : "";
    if ((text.match(/"event_type":"case_result"/g) ?? []).length >= 90) break;
    if (Date.now() > deadline) throw new Error("the eval never got half way");
    await Bun.sleep(10);
  }
  proc.kill("SIGKILL");
  await proc.exited;
  const before = jsonl(join(runDir, "run.jsonl")).filter((e) => e.event_type === "case_result");
  expect(before.length).toBeGreaterThanOrEqual(90);
  expect(before.length).toBeLessThan(200);
  const firstPid = callLines(calls)[0]![0];

  const listed = await bin(["list-runs", "qa", "--json"], { cwd: dir });
  expect(JSON.parse(listed.stdout).find((r: any) => r.run_id === "big").status).toBe("crashed");

  const r = await bin(["run", "qa", "-m", "eval.ts", "--resume", "big", "--json"], { cwd: dir });
  expect(r.stderr).toContain(`eval qa: ${before.length} of 200 already done in run "big", ${200 - before.length} to run`);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(summary).toMatchObject({ run_id: "big", run_type: "milestone", status: "finished", metrics: { exact: 1 } });

  const events = jsonl(join(runDir, "run.jsonl"));
  const results = events.filter((e) => e.event_type === "case_result");
  const ids = results.map((e) => e.case_id);
  expect(ids).toHaveLength(200);
  expect(new Set(ids).size).toBe(200);
  expect(events.filter((e) => e.event_type === "run_resumed")).toHaveLength(1);

  // No case with a result before the kill was called again; every other case once after it.
  const doneBefore = new Set(before.map((e) => e.case_id));
  const lines = callLines(calls);
  const second = lines.filter(([pid]) => pid !== firstPid);
  expect(second.filter(([, id]) => doneBefore.has(id))).toEqual([]);
  expect(second.map(([, id]) => id).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `q${i}`).filter((id) => !doneBefore.has(id)).sort());
  expect(lines.filter(([pid]) => pid === firstPid).length).toBeLessThanOrEqual(before.length + 4 + 40);

  const meta = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"));
  expect(meta.status).toBe("finished");
  expect(meta.resumes).toHaveLength(1);
  expect(meta.resumes[0].previous_status).toBe("crashed");
  const exact = jsonl(join(runDir, "metrics.jsonl")).filter((m) => m.name === "exact").at(-1);
  expect(exact).toMatchObject({ value: 1, n: 200 });

  // Resuming a complete run makes no call.
  const count = callLines(calls).length;
  const again = await bin(["run", "qa", "-m", "eval.ts", "--resume", "big"], { cwd: dir });
  expect(again.code).toBe(0);
  expect(callLines(calls).length).toBe(count);
}, 120_000);

test("resume refuses when the dataset or a scorer changed (exit 2, naming it, the run untouched) unless --force; a trial is not emptied", async () => {
  const { dir, exp, calls } = await project();
  // A trial where the provider fails from case 150: 50 errors.
  const t = await bin(["run", "qa", "-m", "eval.ts"], { cwd: dir, env: { FAIL_FROM: "150" } });
  expect(t.code).toBe(0);
  const trial = join(exp, "runs", "trial_run");
  const runJson = readFileSync(join(trial, "run.json"), "utf8");
  const runJsonl = readFileSync(join(trial, "run.jsonl"), "utf8");
  expect(callLines(calls)).toHaveLength(200);

  // Three cases added, one removed.
  const data = join(exp, "data", "qa.jsonl");
  writeFileSync(data, `${Array.from({ length: 203 }, (_, i) => caseRow(i)).slice(1).join("\n")}\n`);
  const refused = await bin(["run", "qa", "-m", "eval.ts", "--resume", "trial_run"], { cwd: dir });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('cannot resume run "trial_run": dataset "qa" changed (+3 -1 cases) since it began');
  expect(refused.stderr).toContain("--force");
  expect(readFileSync(join(trial, "run.json"), "utf8")).toBe(runJson);
  expect(readFileSync(join(trial, "run.jsonl"), "utf8")).toBe(runJsonl);
  writeFileSync(data, `${Array.from({ length: 200 }, (_, i) => caseRow(i)).join("\n")}\n`);

  // A scorer edited.
  const src = readFileSync(join(dir, "eval.ts"), "utf8");
  writeFileSync(join(dir, "eval.ts"), src.replace("scores: { exact: exactMatch() }", "scores: { exact: exactMatch({ ignoreCase: true }), short: ({ output }) => String(output).length < 4 }"));
  const scorer = await bin(["run", "qa", "-m", "eval.ts", "--resume", "trial_run"], { cwd: dir });
  expect(scorer.code).toBe(2);
  expect(scorer.stderr).toContain("scorer short added");
  expect(readFileSync(join(trial, "run.json"), "utf8")).toBe(runJson);
  writeFileSync(join(dir, "eval.ts"), src);

  // The provider is back: only the 50 failed cases are called again, the trial keeps its 150.
  const resumed = await bin(["run", "qa", "-m", "eval.ts", "--resume", "trial_run", "--json"], { cwd: dir });
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout)).toMatchObject({ run_id: "trial_run", run_type: "trial", status: "finished", metrics: { exact: 1 } });
  expect(callLines(calls)).toHaveLength(250);
  const ok = jsonl(join(trial, "run.jsonl")).filter((e) => e.event_type === "case_result" && !e.error);
  expect(new Set(ok.map((e) => e.case_id)).size).toBe(200);
  expect(ok).toHaveLength(200);

  // --force resumes a changed evaluation, and says what it overrode.
  writeFileSync(join(exp, "prompts", "ask.md"), "Twice {{a}}.");
  const forced = await bin(["run", "qa", "-m", "eval.ts", "--resume", "trial_run", "--force"], { cwd: dir });
  expect(forced.code).toBe(0);
  expect(forced.stderr).toContain("prompt ask.md changed");

  // Bad input: nothing written.
  expect((await bin(["run", "qa", "-m", "eval.ts", "--resume", "nope"], { cwd: dir })).stderr).toContain('run "nope" does not exist in experiment "qa"');
  const bad = await bin(["run", "qa", "-m", "eval.ts", "--force"], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--force is for --resume");
}, 120_000);
