import { describe, expect, test } from "bun:test";
import { runTrace, llmAttributes, operationOf, providerOf, attrValue, TraceBuilder, type RunInfo } from "../../../src/otel/mapping";
import { spanIdOf, traceIdOf } from "../../../src/otel/ids";
import { inputMessages, outputMessages } from "../../../src/otel/content";

const info: RunInfo = { project: "p", experiment: "qa", run_id: "v1", run_type: "milestone", status: "finished", started_at: "2026-01-01T12:00:00.000Z", finished_at: "2026-01-01T12:00:10.000Z", tags: ["a"], config: { model: "gpt-4o" }, git: { commit: "abc", branch: "main", dirty: false } };
const t = (ms: number) => new Date(Date.parse(info.started_at) + ms).toISOString();

describe("ids", () => {
  test("stable, shaped, and different for another start or run", () => {
    const id = traceIdOf(info);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf({ ...info })).toBe(id);
    expect(traceIdOf({ ...info, started_at: "2026-01-01T12:00:00.001Z" })).not.toBe(id);
    expect(traceIdOf({ ...info, run_id: "v2" })).not.toBe(id);
    expect(spanIdOf(id, "x-1")).toMatch(/^[0-9a-f]{16}$/);
    expect(spanIdOf(id, "x-1")).not.toBe(spanIdOf(id, null));
    expect(spanIdOf(traceIdOf({ ...info, run_id: "v2" }), "x-1")).not.toBe(spanIdOf(id, "x-1"));
  });
});

describe("runTrace", () => {
  const events = [
    { timestamp: t(0), event_type: "run_started" },
    { timestamp: t(5000), event_type: "llm_call", model: "claude-3-5-haiku", span_id: "s-2", parent_span_id: "s-1", duration_ms: 1000, usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 }, cost_usd: 0.5, input: "secret" },
    { timestamp: t(6000), event_type: "llm_call", model: "gpt-4o", span_id: "s-3", parent_span_id: "gone", duration_ms: 500, error: { name: "APIError", message: "bad" } },
    { timestamp: t(9000), event_type: "batch_processed", size: 2, output: "secret" },
  ];
  const timings = [
    { timestamp: t(5000), operation: "ask", span_id: "s-2", parent_span_id: "s-1", duration_ms: 1000 },
    { timestamp: t(8000), operation: "step", span_id: "s-1", duration_ms: 4000, error: "failed badly" },
  ];
  const metrics = [{ timestamp: t(9500), name: "acc", value: 0.5, type: "accuracy", step: 3 }];
  const spans = runTrace(info, { events, timings, metrics });
  const [root, call, failedCall, step] = spans;

  test("root, one span per llm_call (its llmCall timing merged), one per other timing", () => {
    expect(spans.map((s) => s.name)).toEqual(["invoke_workflow qa", "chat claude-3-5-haiku", "chat gpt-4o", "step"]);
    expect(root!.attributes).toMatchObject({ "gen_ai.workflow.name": "qa", "scryptorum.run.tags": ["a"], "scryptorum.git.commit": "abc", "scryptorum.config": '{"model":"gpt-4o"}', "scryptorum.metric.acc": 0.5, "scryptorum.cost_usd": 0.5 });
    expect([root!.startMs, root!.endMs]).toEqual([Date.parse(t(0)), Date.parse(t(10000))]);
  });

  test("parents from parent_span_id; an unknown parent means the root", () => {
    expect(step!.parentSpanId).toBe(root!.spanId);
    expect(call!.parentSpanId).toBe(step!.spanId);
    expect(failedCall!.parentSpanId).toBe(root!.spanId);
    expect(root!.parentSpanId).toBeUndefined();
  });

  test("times from the record's end and duration", () => {
    expect([call!.startMs, call!.endMs]).toEqual([Date.parse(t(4000)), Date.parse(t(5000))]);
    expect([step!.startMs, step!.endMs]).toEqual([Date.parse(t(4000)), Date.parse(t(8000))]);
  });

  test("errors: status ERROR with error.type", () => {
    expect(failedCall!.status).toEqual({ code: 2, message: "bad" });
    expect(failedCall!.attributes["error.type"]).toBe("APIError");
    expect(step!.status).toEqual({ code: 2, message: "failed badly" });
    expect(call!.status.code).toBe(0);
  });

  test("metrics and user events are root events; content fields only with includeContent", () => {
    expect(root!.events).toEqual([
      { name: "batch_processed", timeMs: Date.parse(t(9000)), attributes: { "scryptorum.size": 2 } },
      { name: "scryptorum.metric", timeMs: Date.parse(t(9500)), attributes: { "scryptorum.metric.name": "acc", "scryptorum.metric.value": 0.5, "scryptorum.metric.type": "accuracy", "scryptorum.metric.step": 3 } },
    ]);
    expect(JSON.stringify(spans)).not.toContain("secret");
    const withContent = runTrace(info, { events, timings, metrics }, { includeContent: true });
    expect(withContent[1]!.attributes["gen_ai.input.messages"]).toBe('[{"role":"user","parts":[{"type":"text","content":"secret"}]}]');
    expect(withContent[0]!.events[0]!.attributes["scryptorum.output"]).toBe("secret");
  });

  test("run status: failed, interrupted and crashed are ERROR", () => {
    for (const [status, type] of [["failed", "TypeError"], ["interrupted", "interrupted"], ["crashed", "crashed"]] as const) {
      const b = new TraceBuilder(info);
      const root = b.rootSpan({ ...info, status, error: status === "failed" ? { name: "TypeError", message: "x" } : null }, { endMs: 0 });
      expect(root.status.code).toBe(2);
      expect(root.attributes["error.type"]).toBe(type);
    }
  });
});

describe("GenAI attributes", () => {
  test.each([
    [{ model: "gpt-4o" }, "openai", "chat"],
    [{ model: "o3-mini" }, "openai", "chat"],
    [{ model: "claude-sonnet-4-6" }, "anthropic", "chat"],
    [{ model: "gemini-2.0-flash" }, "gcp.gemini", "chat"],
    [{ model: "text-embedding-3-small", provider: "openai", api: "embeddings" }, "openai", "embeddings"],
    [{ model: "llama3", provider: "google", api: "google.generative-ai" }, "gcp.gemini", "chat"],
    [{ model: "my-llama" }, undefined, "chat"],
    [{ model: "x", operation: "generate_content" }, undefined, "generate_content"],
  ])("%j: provider %s, operation %s", (r, provider, op) => {
    expect(providerOf(r)).toBe(provider);
    expect(operationOf(r)).toBe(op);
  });

  test("request parameters in OpenAI, Anthropic and AI SDK spellings", () => {
    expect(llmAttributes({ model: "m", params: { temperature: 0.1, maxOutputTokens: 9, topP: 0.9, topK: 5, stopSequences: ["x"], seed: 1, n: 2, presencePenalty: 0.2 } })).toMatchObject({
      "gen_ai.request.temperature": 0.1, "gen_ai.request.max_tokens": 9, "gen_ai.request.top_p": 0.9, "gen_ai.request.top_k": 5,
      "gen_ai.request.stop_sequences": ["x"], "gen_ai.request.seed": 1, "gen_ai.request.choice.count": 2, "gen_ai.request.presence_penalty": 0.2,
    });
    expect(llmAttributes({ model: "m", params: { max_completion_tokens: 7, stop: "END" } })).toMatchObject({ "gen_ai.request.max_tokens": 7, "gen_ai.request.stop_sequences": ["END"] });
  });

  test("attribute values: arrays of one type stay arrays, the rest is JSON", () => {
    expect(attrValue([1, 2])).toEqual([1, 2]);
    expect(attrValue([1, "a"])).toBe('[1,"a"]');
    expect(attrValue({ a: 1 })).toBe('{"a":1}');
    expect(attrValue(null)).toBeUndefined();
  });
});

describe("content", () => {
  test("messages of OpenAI, Anthropic and AI SDK shapes", () => {
    expect(inputMessages([{ role: "user", content: [{ type: "text", text: "hi" }, { type: "image", source: {} }] }])).toEqual([{ role: "user", parts: [{ type: "text", content: "hi" }, { type: "image", source: {} }] }]);
    expect(inputMessages([{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: "c1", content: "42" }])).toEqual([
      { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "f", arguments: "{}" }] },
      { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: "42" }] },
    ]);
    expect(inputMessages(["a", "b"])).toEqual([{ role: "user", parts: [{ type: "text", content: "a" }, { type: "text", content: "b" }] }]);
    expect(outputMessages([{ type: "tool_use", id: "t", name: "f", input: { x: 1 } }], "tool_use")).toEqual([{ role: "assistant", parts: [{ type: "tool_call", id: "t", name: "f", arguments: { x: 1 } }], finish_reason: "tool_use" }]);
  });
});
