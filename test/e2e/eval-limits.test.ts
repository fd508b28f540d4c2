/**
 * Rate limits through the compiled binary: a loopback OpenAI that answers 429 with
 * retry-after to one call in five; the eval finishes with every case done and the retries
 * counted in the run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, REPO, tempDir, writeFiles } from "../helpers/cli";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";

let server: FakeProviders;
beforeAll(async () => {
  server = startFakeProviders();
  await ensureBinary();
});
afterAll(() => server.stop());

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

test("429 with retry-after on 20% of calls: every case done, retries counted in case_result, eval_finished and a metric", async () => {
  const dir = tempDir("scry-limits-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(REPO, "node_modules/openai"), join(dir, "node_modules/openai"));
  const rows = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: `q${i}`, input: `question ${i}`, expected: `question ${i}` }));
  writeFiles(dir, {
    "package.json": JSON.stringify({ name: "limits", type: "module" }),
    "qa.jsonl": `${rows.join("\n")}\n`,
    "eval.ts": `import OpenAI from "openai";
import { dataset, evaluate, exactMatch, wrapOpenAI } from "scryptorum";
const client = wrapOpenAI(new OpenAI({ baseURL: process.env.FAKE_URL + "/v1", apiKey: "k", maxRetries: 0 }));
export default async function main() {
  const { summary } = await evaluate({
    data: dataset("qa"),
    task: async (q: string) => (await client.chat.completions.create({ model: "flaky-echo", messages: [{ role: "user", content: q }] })).choices[0].message.content,
    scores: { exact: exactMatch() },
    concurrency: 8,
  });
  console.log(JSON.stringify({ retries: summary.rate_limit_retries, errors: summary.errors }));
}
`,
  });
  expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
  expect((await bin(["create-experiment", "qa"], { cwd: dir })).code).toBe(0);
  writeFiles(join(dir, "experiments/limits/experiments/qa/data"), { "qa.jsonl": readFileSync(join(dir, "qa.jsonl"), "utf8") });
  const before = server.total();
  const r = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "limited", "--json"], { cwd: dir, env: { FAKE_URL: server.url } });
  expect(r.code).toBe(0);
  const requests = server.total() - before;
  const runDir = join(dir, "experiments/limits/experiments/qa/runs/limited");
  const events = jsonl(join(runDir, "run.jsonl"));
  const results = events.filter((e) => e.event_type === "case_result");
  expect(results).toHaveLength(100);
  expect(new Set(results.map((x) => x.case_id)).size).toBe(100);
  expect(results.every((x) => !x.error && x.scores.exact === 1)).toBe(true);
  const refused = events.filter((e) => e.event_type === "llm_call" && e.status_code === 429);
  // One request in five is refused: 100 answers take about 125 requests.
  expect(refused.length).toBeGreaterThanOrEqual(24);
  expect(requests).toBe(100 + refused.length);
  expect(results.reduce((n, x) => n + (x.retries ?? 0), 0)).toBe(refused.length);
  expect(events.find((e) => e.event_type === "eval_finished")).toMatchObject({ ran: 100, errors: 0, rate_limit_retries: refused.length });
  expect(JSON.parse(r.stdout).metrics).toMatchObject({ exact: 1, rate_limit_retries: refused.length });
}, 120_000);
