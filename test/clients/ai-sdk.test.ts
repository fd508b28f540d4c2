/** scryptorumMiddleware with the real `ai` package and `@ai-sdk/openai`, against a loopback server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateObject, generateText, jsonSchema, streamText, wrapLanguageModel } from "ai";
import { scryptorumMiddleware } from "../../src/index";
import { tempProject } from "../helpers/project";
import { TEXT, TEXT_PARTS, startFakeProviders, type FakeProviders } from "./fake-providers";
import { runFolders, testRun } from "./helpers";

let server: FakeProviders;
let provider: ReturnType<typeof createOpenAI>;

beforeAll(() => {
  server = startFakeProviders();
  provider = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "test-key" });
});
afterAll(() => server.stop());

const model = (id = "gpt-4o-mini") => wrapLanguageModel({ model: provider.chat(id), middleware: scryptorumMiddleware() });
const USAGE = { input_tokens: 1200, output_tokens: 300, total_tokens: 1500, cached_tokens: 1000, reasoning_tokens: 100 };
const COST = (200 * 0.15 + 1000 * 0.075 + 300 * 0.6) / 1e6;

describe("scryptorumMiddleware", () => {
  test("generateText lands as one llm_call with tokens and cost", async () => {
    const t = testRun();
    const result = await t.inside(() => generateText({ model: model(), prompt: "Say hello", temperature: 0.3, maxRetries: 0 }));
    expect(result.text).toBe(TEXT);
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      api: "openai.chat",
      output: TEXT,
      finish_reason: "stop",
      params: { temperature: 0.3 },
      usage: USAGE,
    });
    expect(call!.input).toEqual([{ role: "user", content: [{ type: "text", text: "Say hello" }] }]);
    expect(call!.cost_usd).toBeCloseTo(COST, 12);
    expect(typeof call!.span_id).toBe("string");
  });

  test("streamText: the text arrives whole and in order; the call is logged when the stream ends", async () => {
    const t = testRun();
    const deltas = await t.inside(async () => {
      const result = streamText({ model: model(), prompt: "Say hello", maxRetries: 0 });
      const out: string[] = [];
      for await (const delta of result.textStream) out.push(delta);
      return out;
    });
    expect(deltas.join("")).toBe(TEXT);
    expect(deltas).toEqual(TEXT_PARTS);
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({ stream: true, output: TEXT, usage: USAGE, finish_reason: "stop" });
    expect(call!.cost_usd).toBeCloseTo(COST, 12);
    expect(call!.ttft_ms).toBeGreaterThan(0);
  });

  test("generateObject", async () => {
    const t = testRun();
    const schema = jsonSchema<{ answer: string }>({ type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false });
    const result = await t.inside(() => generateObject({ model: model(), schema, prompt: "Say hello", maxRetries: 0 }));
    expect(result.object).toEqual({ answer: TEXT });
    const call = t.calls()[0]!;
    expect(call.output).toBe(JSON.stringify({ answer: TEXT }));
    expect(call.params.responseFormat).toMatchObject({ type: "json" });
    expect(call.cost_usd).toBeCloseTo(COST, 12);
  });

  test.each([
    [429, "rate-limited"],
    [500, "server-error"],
  ])("a %i is logged with its status code and rethrown", async (status, id) => {
    const t = testRun();
    const error = await t.inside(() => generateText({ model: model(id), prompt: "Say hello", maxRetries: 0 })).catch((e) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(t.calls()[0]).toMatchObject({ model: id, status_code: status, output: null, cost_usd: null });
  });

  test("outside a run it does nothing", async () => {
    const { root } = tempProject();
    const result = await generateText({ model: model(), prompt: "Say hello", maxRetries: 0 });
    expect(result.text).toBe(TEXT);
    expect(runFolders(root)).toEqual([]);
  });
});
