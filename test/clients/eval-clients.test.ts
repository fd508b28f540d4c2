/**
 * Evaluations with real SDK clients against the loopback fake provider: the response cache
 * keys on the trial, the LLM-as-judge scorer, the shared adaptive rate limiter.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { evaluate, wrapOpenAI } from "../../src/index";
import { cacheKey } from "../../src/cache";
import { runInCase } from "../../src/core/scope";
import { startFakeProviders, type FakeProviders } from "./fake-providers";
import { testRun } from "./helpers";

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
