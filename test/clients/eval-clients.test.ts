/**
 * Evaluations with real SDK clients against the loopback fake provider: the response cache
 * keys on the trial, the LLM-as-judge scorer, the shared adaptive rate limiter.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel } from "ai";
import { evaluate, judge, scryptorumMiddleware, wrapAnthropic, wrapOpenAI } from "../../src/index";
import { cacheKey } from "../../src/cache";
import { runInCase } from "../../src/core/scope";
import { startFakeProviders, TEXT, type FakeProviders } from "./fake-providers";
import { collect, testRun } from "./helpers";

let server: FakeProviders;
let openai: OpenAI;

beforeAll(() => {
  server = startFakeProviders();
  openai = wrapOpenAI(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 }));
});
afterAll(() => server.stop());

const saved = process.env.SCRYPTORUM_CACHE;
beforeEach(() => {
  process.env.SCRYPTORUM_CACHE = "1";
});
afterEach(() => {
  if (saved === undefined) delete process.env.SCRYPTORUM_CACHE;
  else process.env.SCRYPTORUM_CACHE = saved;
});

const ask = (q: string) => openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] }).then((r) => r.choices[0]!.message.content);

describe("response cache and trials", () => {
  test("the key of trial 0 is the key outside an evaluation; later trials get their own", () => {
    const body = { messages: [{ role: "user", content: "hi" }] };
    const outside = cacheKey("openai", "chat.completions", "gpt-4o-mini", body);
    const at = (trial: number) => runInCase({ caseId: "c", trial, cost: 0, retries: 0 }, () => cacheKey("openai", "chat.completions", "gpt-4o-mini", body));
    expect(at(0)).toBe(outside);
    expect(new Set([outside, at(1), at(2)]).size).toBe(3);
  });

  test("3 trials of 2 cases make 6 requests; the same eval again makes none", async () => {
    const t = testRun();
    const data = [{ id: "a", input: "one" }, { id: "b", input: "two" }];
    const before = server.total();
    await t.inside(() => evaluate({ data, task: ask, scores: { any: () => 1 }, trials: 3, resume: false }));
    expect(server.total()).toBe(before + 6);
    await t.inside(() => evaluate({ data, task: ask, scores: { any: () => 1 }, trials: 3, resume: false }));
    expect(server.total()).toBe(before + 6);
    const calls = t.calls();
    expect(calls).toHaveLength(12);
    expect(new Set(calls.map((c) => c.cache_key)).size).toBe(6);
    expect(calls.filter((c) => c.cache_hit)).toHaveLength(6);
    t.finish();
  });
});

describe("rate limits", () => {
  test("429s with retry-after on 1 call in 5: every case done, each 429 retried once and counted", async () => {
    delete process.env.SCRYPTORUM_CACHE;
    const t = testRun();
    const data = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, input: `question ${i}`, expected: `question ${i}` }));
    const echo = (q: string) => openai.chat.completions.create({ model: "flaky-echo", messages: [{ role: "user", content: q }] }).then((r) => r.choices[0]!.message.content);
    const { results, summary } = await t.inside(() => evaluate({ data, task: echo, scores: { same: ({ output, expected }) => output === expected }, concurrency: 8 }));
    expect(results).toHaveLength(40);
    expect(results.every((r) => !r.error && r.scores.same === 1)).toBe(true);
    const calls = t.calls();
    const limitedCalls = calls.filter((c) => c.status_code === 429);
    // 40 answers take 49 or 50 requests when every fifth is refused (and retried).
    expect(limitedCalls.length).toBeGreaterThanOrEqual(9);
    expect(calls).toHaveLength(40 + limitedCalls.length);
    expect(limitedCalls[0]).toMatchObject({ model: "flaky-echo", error: { name: "RateLimitError" } });
    expect(summary.rate_limit_retries).toBe(limitedCalls.length);
    expect(results.reduce((n, r) => n + (r.retries ?? 0), 0)).toBe(limitedCalls.length);
    t.finish();
  });
});

describe("judge()", () => {
  test("grades through the user's own (unwrapped) client: logged as llm_call with the rubric's version, cached on the rubric", async () => {
    const t = testRun();
    const plain = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 });
    const rubric = "Names the capital of France.";
    const data = [{ id: "fr", input: "Capital of France?", expected: "Paris" }, { id: "de", input: "Capital of Germany?", expected: "Berlin" }];
    const answers: Record<string, string> = { fr: "It is Paris.", de: "Munich, I think." };
    const scores = { capital: judge({ client: plain, model: "judge-1", rubric }) };
    const before = server.total();
    const { results } = await t.inside(() => evaluate({ data, task: (_i, c) => answers[c.id]!, scores, resume: false }));
    expect(server.total()).toBe(before + 2);
    expect(results.find((r) => r.case_id === "fr")).toMatchObject({ scores: { capital: 1 }, reasons: { capital: "names Paris" } });
    expect(results.find((r) => r.case_id === "de")).toMatchObject({ scores: { capital: 0 }, reasons: { capital: "does not name Paris" } });
    const calls = t.calls();
    expect(calls).toHaveLength(2);
    const version = calls[0]!.prompts[0].version;
    expect(calls[0]).toMatchObject({ model: "judge-1", prompts: [{ name: "judge.judge", version }], params: { temperature: 0 } });
    expect(calls[0]!.input[0].content).toContain(rubric);
    expect(results[0]!.prompts).toEqual({ "judge.judge": version });

    // Re-scoring the same outputs with the same rubric: answered from the cache.
    await t.inside(() => evaluate({ data, task: (_i, c) => answers[c.id]!, scores, resume: false }));
    expect(server.total()).toBe(before + 2);
    // A changed rubric is another prompt version and another cache key.
    const other = { capital: judge({ client: plain, model: "judge-1", rubric: "Names a capital city." }) };
    await t.inside(() => evaluate({ data, task: (_i, c) => answers[c.id]!, scores: other, resume: false }));
    expect(server.total()).toBe(before + 4);
    const last = t.calls().at(-1)!;
    expect(last.prompts[0].version).not.toBe(version);
    t.finish();
  });

  test("an Anthropic client and a call function work too; an unreadable verdict is the case's scorer error", async () => {
    delete process.env.SCRYPTORUM_CACHE;
    const t = testRun();
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: "k", maxRetries: 0 });
    const { results } = await t.inside(() =>
      evaluate({
        data: [{ id: "x", input: "q" }],
        task: () => "answer",
        scores: {
          own: judge({ call: ({ system, user }) => (system.includes("Be kind.") && user.includes("answer") ? '{"score": true, "reason": "kind"}' : "{}"), rubric: "Be kind." }),
          claude: judge({ client: anthropic, model: "claude-haiku-4-5", rubric: "Anything." }),
        },
      }),
    );
    expect(results[0]!.scores.own).toBe(1);
    expect(results[0]!.reasons?.own).toBe("kind");
    // The fake Anthropic answers "Hello world": not a verdict.
    expect(results[0]!.error?.message).toContain('scorer claude: the judge did not reply {"score", "reason"}: "Hello world"');
    expect(t.calls().filter((c) => c.model === "claude-haiku-4-5")).toHaveLength(1);
    t.finish();
  });

  test("bad options are usage errors naming the fix", () => {
    expect(() => judge({ rubric: "" } as never)).toThrow("judge() needs rubric");
    expect(() => judge({ rubric: "r" })).toThrow("judge() needs client");
    expect(() => judge({ rubric: "r", client: new OpenAI({ apiKey: "k" }) })).toThrow("judge() needs model with client");
    expect(() => judge({ rubric: "r", client: {}, model: "m" })).toThrow("neither an openai client");
  });
});

describe("rate limits through the Vercel AI SDK middleware", () => {
  test("generateText with maxRetries: 0: 429s retried by the limiter, every case done, retries counted", async () => {
    delete process.env.SCRYPTORUM_CACHE;
    const t = testRun();
    const model = wrapLanguageModel({ model: createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "k" }).chat("flaky-echo"), middleware: scryptorumMiddleware() });
    const data = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}`, input: `ask ${i}`, expected: `ask ${i}` }));
    const { results, summary } = await t.inside(() =>
      evaluate({ data, task: async (q: string) => (await generateText({ model, prompt: q, maxRetries: 0 })).text, scores: { same: ({ output, expected }) => output === expected }, concurrency: 4 }),
    );
    expect(results.every((r) => !r.error && r.scores.same === 1)).toBe(true);
    const refused = t.calls().filter((c) => c.error);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(summary.rate_limit_retries).toBe(refused.length);
    t.finish();
  });
});

describe("the SDKs' helpers inside a case (through the limiter)", () => {
  test("stream(), a raw stream, parse(), withResponse(), Anthropic's stream() and responses.create all work and are logged", async () => {
    delete process.env.SCRYPTORUM_CACHE;
    const t = testRun();
    const anthropic = wrapAnthropic(new Anthropic({ baseURL: server.url, apiKey: "k", maxRetries: 0 }));
    const messages = [{ role: "user" as const, content: "hi" }];
    const { results } = await t.inside(() =>
      evaluate({
        data: [{ id: "a", input: "x" }],
        task: async () => {
          const final = await openai.chat.completions.stream({ model: "gpt-4o-mini", messages, stream_options: { include_usage: true } }).finalChatCompletion();
          const raw = await collect(await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }));
          const parsed = await openai.chat.completions.parse({ model: "gpt-4o-mini", messages, response_format: { type: "json_object" } });
          const wr = await openai.chat.completions.create({ model: "gpt-4o-mini", messages }).withResponse();
          const am = await anthropic.messages.stream({ model: "claude-haiku-4-5", max_tokens: 10, messages }).finalMessage();
          const resp = await openai.responses.create({ model: "gpt-5-mini", input: "hi" });
          return [final.choices[0]!.message.content, raw.length, parsed.choices[0]!.message.content, wr.response.status, am.content[0], resp.output_text];
        },
        scores: { any: () => 1 },
        progress: false,
      }),
    );
    expect(results[0]!.error).toBeUndefined();
    expect(results[0]!.output).toEqual([TEXT, 6, JSON.stringify({ answer: TEXT }), 200, { type: "text", text: TEXT }, TEXT]);
    expect(t.calls()).toHaveLength(6);
    t.finish();
  });
});
