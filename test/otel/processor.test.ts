/**
 * scryptorumSpanProcessor(): spans from @opentelemetry/api instrumentations land in the
 * current run: GenAI spans as llm_call events, others as timings, parents kept. Driven by the
 * real SDK (sdk-trace-base, the async-hooks context manager) and by the AI SDK's own
 * experimental_telemetry against the loopback fake providers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText } from "ai";
import { scryptorumSpanProcessor, timer } from "../../src/index";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";
import { testRun } from "../clients/helpers";
import { readLines } from "../helpers/project";

let providers: FakeProviders;
let provider: BasicTracerProvider;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  providers = startFakeProviders();
  context.setGlobalContextManager(contextManager.enable());
  provider = new BasicTracerProvider({ spanProcessors: [scryptorumSpanProcessor()] });
});
afterAll(async () => {
  providers.stop();
  await provider.shutdown();
  context.disable();
});

describe("scryptorumSpanProcessor", () => {
  test("a GenAI span becomes an llm_call, other spans timings; parents follow OTel, then the scryptorum span", async () => {
    const t = testRun();
    const tracer = provider.getTracer("my-instrumentation");
    await t.inside(() =>
      timer("pipeline")(async () => {
        await tracer.startActiveSpan("retrieve-and-answer", async (outer) => {
          await tracer.startActiveSpan("chat gpt-4o-mini", { kind: SpanKind.CLIENT }, async (span) => {
            span.setAttributes({
              "gen_ai.operation.name": "chat",
              "gen_ai.provider.name": "openai",
              "gen_ai.request.model": "gpt-4o-mini",
              "gen_ai.request.temperature": 0.1,
              "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
              "gen_ai.usage.input_tokens": 1000,
              "gen_ai.usage.output_tokens": 100,
              "gen_ai.usage.cache_read.input_tokens": 400,
              "gen_ai.response.finish_reasons": ["stop"],
              "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "hi" }] }]),
            });
            await Bun.sleep(5);
            span.end();
          });
          await tracer.startActiveSpan("chat claude-sonnet-4-6", async (span) => {
            span.setAttributes({ "gen_ai.request.model": "claude-sonnet-4-6", "gen_ai.system": "anthropic", "error.type": "overloaded_error" });
            span.setStatus({ code: SpanStatusCode.ERROR, message: "Overloaded" });
            span.end();
          });
          outer.end();
        });
      })(),
    );
    // Outside a run: nothing recorded, nothing thrown.
    tracer.startSpan("outside").end();
    t.finish();
    const calls = readLines(t.run.logFile).filter((r) => r.event_type === "llm_call");
    const timings = readLines(t.run.timingsFile);
    const pipeline = timings.find((r) => r.operation === "pipeline")!;
    const outer = timings.find((r) => r.operation === "retrieve-and-answer")!;
    expect(timings.map((r) => r.operation).sort()).toEqual(["pipeline", "retrieve-and-answer"]);
    expect(outer.parent_span_id).toBe(pipeline.span_id);
    expect(outer.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(calls.length).toBe(2);
    const [chat, claude] = calls;
    expect(chat).toMatchObject({
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      operation: "chat",
      parent_span_id: outer.span_id,
      usage: { input_tokens: 1000, output_tokens: 100, total_tokens: 1100, cached_tokens: 400 },
      params: { temperature: 0.1 },
      finish_reason: "stop",
      input: [{ role: "user", parts: [{ type: "text", content: "hi" }] }],
      otel_span: "chat gpt-4o-mini",
    });
    expect(chat!.duration_ms).toBeGreaterThanOrEqual(4);
    expect(chat!.cost_usd).toBeGreaterThan(0);
    expect(claude).toMatchObject({ model: "claude-sonnet-4-6", provider: "anthropic", parent_span_id: outer.span_id, error: { name: "overloaded_error", message: "Overloaded" } });
  });

  test("the AI SDK's experimental_telemetry: its doGenerate span is the llm_call, under its generateText span", async () => {
    const t = testRun();
    const model = createOpenAI({ baseURL: `${providers.url}/v1`, apiKey: "test-key" }).chat("gpt-4o-mini");
    const result = await t.inside(() =>
      generateText({ model, prompt: "Say hello", maxRetries: 0, experimental_telemetry: { isEnabled: true, tracer: provider.getTracer("ai") } }),
    );
    t.finish();
    expect(result.text).toBe("Hello world");
    const calls = readLines(t.run.logFile).filter((r) => r.event_type === "llm_call");
    const timings = readLines(t.run.timingsFile);
    expect(calls.length).toBe(1);
    const outer = timings.find((r) => r.operation === "ai.generateText")!;
    expect(outer).toBeDefined();
    expect(calls[0]).toMatchObject({
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2024-07-18",
      usage: { input_tokens: 1200, output_tokens: 300 },
      output: "Hello world",
      otel_span: "ai.generateText.doGenerate",
      parent_span_id: outer.span_id,
    });
    expect(outer.parent_span_id).toBeUndefined();
  });
});
