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

test("a user's llmCall function doing a plain fetch shares one limiter with the judge: 429s retried with retry-after, counted per model", async () => {
  const dir = tempDir("scry-limits-fetch-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(REPO, "node_modules/openai"), join(dir, "node_modules/openai"));
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `c${i}`, input: `Is Paris the capital? (${i})` }));
  writeFiles(dir, {
    "package.json": JSON.stringify({ name: "limits", type: "module" }),
    // The task throws an error carrying the answer's status and headers, as an HTTP client's would.
    "eval.ts": `import OpenAI from "openai";
import { evaluate, judge, llmCall } from "scryptorum";
const ask = llmCall({ model: "flaky-judge", provider: "openai", name: "ask" })(async (q: string) => {
  const res = await fetch(process.env.FAKE_URL + "/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "flaky-judge", messages: [{ role: "user", content: q }] }),
  });
  if (!res.ok) throw Object.assign(new Error("HTTP " + res.status), { status: res.status, headers: res.headers });
  return (await res.json()).choices[0].message.content;
});
const client = new OpenAI({ baseURL: process.env.FAKE_URL + "/v1", apiKey: "k", maxRetries: 0 });
export default async function main() {
  const { summary } = await evaluate({
    data: ${JSON.stringify(rows.map((r) => JSON.parse(r)))},
    task: async (q: string) => (await ask(q)) + " " + q,
    scores: { paris: judge({ client, model: "flaky-judge", rubric: "Names Paris." }) },
    concurrency: 8,
  });
  console.error(JSON.stringify(summary.rate_limit_retries_by_model));
}
`,
  });
  expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
  expect((await bin(["create-experiment", "qa"], { cwd: dir })).code).toBe(0);
  const before = server.total();
  const r = await bin(["run", "qa", "-m", "eval.ts", "--json"], { cwd: dir, env: { FAKE_URL: server.url } });
  expect(r.code).toBe(0);
  const requests = server.total() - before;
  const out = JSON.parse(r.stdout);
  const events = jsonl(join(out.dir, "run.jsonl"));
  const results = events.filter((e) => e.event_type === "case_result");
  expect(results).toHaveLength(40);
  expect(results.every((x) => !x.error && x.scores.paris === 1)).toBe(true);
  const calls = events.filter((e) => e.event_type === "llm_call");
  const refused = calls.filter((e) => e.status_code === 429);
  const refusedTask = refused.filter((e) => e.name === "ask");
  const refusedJudge = refused.filter((e) => e.provider === "openai");
  // One request in five is refused: 80 answers take about 100 requests; each attempt is logged.
  expect(refused.length).toBeGreaterThanOrEqual(16);
  expect(refusedTask.length).toBeGreaterThan(0);
  expect(refusedJudge.length).toBeGreaterThan(0);
  expect(refusedTask.length + refusedJudge.length).toBe(refused.length);
  expect(requests).toBe(80 + refused.length);
  expect(calls.filter((e) => e.name === "ask" && !e.error)).toHaveLength(40);
  expect(results.reduce((n, x) => n + (x.retries ?? 0), 0)).toBe(refused.length);
  // The task's and the judge's calls of one provider and model: one limiter, one count.
  const byModel = { "openai/flaky-judge": refused.length };
  expect(events.find((e) => e.event_type === "eval_finished")).toMatchObject({ ran: 40, errors: 0, rate_limit_retries: refused.length, rate_limit_retries_by_model: byModel });
  expect(JSON.parse(r.stderr.trim().split("\n").at(-1)!)).toEqual(byModel);
  expect(out.metrics).toMatchObject({ paris: 1, rate_limit_retries: refused.length });
}, 120_000);
