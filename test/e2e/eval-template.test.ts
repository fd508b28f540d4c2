/**
 * `create-experiment <name> --template eval` through the compiled binary: the scaffold runs
 * offline out of the box as a trial and as a milestone (its module in the code snapshot),
 * and against an OpenAI-compatible server when one is configured.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir } from "../helpers/cli";

const requests: any[] = [];
// A loopback stand-in for an OpenAI-compatible chat completions endpoint: always "neutral".
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const body = await req.json();
    requests.push({ auth: req.headers.get("authorization"), body });
    return Response.json({ model: body.model, choices: [{ message: { role: "assistant", content: "Neutral" } }], usage: { prompt_tokens: 30, completion_tokens: 1, total_tokens: 31 } });
  },
});

beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  server.stop(true);
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

test("create-experiment --template eval scaffolds a dataset, a prompt and a module that runs offline as a trial and a milestone, and on a provider when one is set", async () => {
  const dir = tempDir("scry-tpl-");
  expect((await bin(["init", "--project-name", "shop"], { cwd: dir })).code).toBe(0);
  const made = await bin(["create-experiment", "reviews", "--template", "eval"], { cwd: dir });
  expect(made.code).toBe(0);
  expect(made.stderr).toContain("next: scryptorum run reviews -m evals/reviews.ts");
  const exp = join(dir, "experiments", "shop", "experiments", "reviews");
  for (const f of ["data/reviews.jsonl", "prompts/classify.md", "config/config.json"]) expect(existsSync(join(exp, f))).toBe(true);
  expect(readFileSync(join(dir, "evals", "reviews.ts"), "utf8")).toContain('experiment({ name: "reviews"');

  const trial = await bin(["run", "reviews", "-m", "evals/reviews.ts", "--json"], { cwd: dir });
  expect(trial.code).toBe(0);
  expect(trial.stderr).toContain("using the offline stand-in model");
  const t = JSON.parse(trial.stdout);
  expect(t).toMatchObject({ run_type: "trial", status: "finished", metrics: { accuracy: 1, one_word: 1 } });
  const events = jsonl(join(t.dir, "run.jsonl"));
  expect(events.filter((e) => e.event_type === "case_result")).toHaveLength(12);
  expect(events.filter((e) => e.event_type === "llm_call").every((e) => e.model === "offline-stand-in" && e.usage.input_tokens > 0)).toBe(true);

  const ms = await bin(["run", "reviews", "-m", "evals/reviews.ts", "--milestone", "--run-id", "v1", "--json"], { cwd: dir });
  expect(ms.code).toBe(0);
  expect(JSON.parse(ms.stdout)).toMatchObject({ run_id: "v1", run_type: "milestone", status: "finished", metrics: { accuracy: 1 } });
  expect(existsSync(join(exp, "runs", "v1", "code_snapshot", "evals", "reviews.ts"))).toBe(true);
  expect(existsSync(join(exp, "runs", "v1", "prompts", "classify.md"))).toBe(true);

  // A provider: every case is one request with the rendered prompt, priced, under the $1 cap.
  const real = await bin(["run", "reviews", "-m", "evals/reviews.ts", "--json"], {
    cwd: dir,
    env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `http://127.0.0.1:${server.port}/v1`, OPENAI_MODEL: "gpt-4o-mini" },
  });
  expect(real.code).toBe(0);
  expect(requests).toHaveLength(12);
  expect(requests[0]).toMatchObject({ auth: "Bearer sk-test", body: { model: "gpt-4o-mini" } });
  expect(requests.map((r) => r.body.messages[0].content)).toContain("Label the sentiment of this product review. Answer with one word: positive, negative or neutral.\n\nReview: Average quality for the price.\n");
  const r = JSON.parse(real.stdout);
  // The server always says "Neutral": 4 of the 12 reviews are neutral.
  expect(r.metrics.accuracy).toBeCloseTo(4 / 12, 12);
  const calls = jsonl(join(r.dir, "run.jsonl")).filter((e) => e.event_type === "llm_call");
  expect(calls.every((e) => e.model === "gpt-4o-mini" && e.cost_usd > 0)).toBe(true);

  const bad = await bin(["create-experiment", "other", "--template", "chat"], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--template chat is not a template: use --template eval");
  expect(existsSync(join(dir, "experiments", "shop", "experiments", "other"))).toBe(false);
}, 120_000);
