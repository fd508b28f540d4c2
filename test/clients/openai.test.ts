/** wrapOpenAI against the real `openai` SDK and a loopback server speaking OpenAI's wire format. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { wrapOpenAI } from "../../src/index";
import { tempProject } from "../helpers/project";
import { RESPONSES_USAGE, TEXT, TEXT_PARTS, startFakeProviders, type FakeProviders } from "./fake-providers";
import { collect, runFolders, testRun } from "./helpers";

let server: FakeProviders;
let bare: OpenAI;
let client: OpenAI;

beforeAll(() => {
  server = startFakeProviders();
  bare = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "test-key", maxRetries: 0 });
  client = wrapOpenAI(bare);
});
afterAll(() => server.stop());

const messages = [{ role: "user" as const, content: "Say hello" }];
// gpt-4o-mini: 200 fresh × $0.15 + 1000 cached × $0.075 + 300 output × $0.60, per million.
const CHAT_COST = (200 * 0.15 + 1000 * 0.075 + 300 * 0.6) / 1e6;

describe("chat.completions.create", () => {
  test("a call lands as one llm_call with tokens, cost, params and span", async () => {
    const t = testRun();
    const res = await t.inside(() => client.chat.completions.create({ model: "gpt-4o-mini", messages, temperature: 0.2, max_tokens: 64 }));
    expect(res.choices[0]!.message.content).toBe(TEXT);
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      api: "chat.completions",
      input: messages,
      output: TEXT,
      finish_reason: "stop",
      params: { temperature: 0.2, max_tokens: 64 },
      usage: { input_tokens: 1200, output_tokens: 300, total_tokens: 1500, cached_tokens: 1000, reasoning_tokens: 100 },
    });
    expect(call!.cost_usd).toBeCloseTo(CHAT_COST, 12);
    expect(typeof call!.span_id).toBe("string");
    expect(call!.duration_ms).toBeGreaterThan(0);
  });

  test("the call's span sits under the current span", async () => {
    const t = testRun();
    await t.inside(() => t.run.time("step", () => client.chat.completions.create({ model: "gpt-4o-mini", messages })));
    t.run.flush();
    const timing = (await Bun.file(t.run.timingsFile).text()).trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.operation === "step");
    expect(t.calls()[0]!.parent_span_id).toBe(timing.span_id);
  });

  test("tool calls are logged as the assistant message", async () => {
    const t = testRun();
    const tools = [{ type: "function" as const, function: { name: "weather", parameters: { type: "object", properties: {} } } }];
    await t.inside(() => client.chat.completions.create({ model: "gpt-4o-mini", messages, tools }));
    const call = t.calls()[0]!;
    expect(call.output).toMatchObject({ role: "assistant", tool_calls: [{ id: "call_1", function: { name: "weather", arguments: '{"city":"Paris"}' } }] });
    expect(call.params.tools).toEqual(tools);
    expect(call.finish_reason).toBe("tool_calls");
  });

  test("a model missing from the price table costs null, never a guess", async () => {
    const t = testRun();
    await t.inside(() => client.chat.completions.create({ model: "my-local-llama", messages }));
    const call = t.calls()[0]!;
    expect(call.usage.input_tokens).toBe(1200);
    expect(call.cost_usd).toBeNull();
  });

  test("withResponse() and asResponse() keep working", async () => {
    const t = testRun();
    const { data, response, request_id } = await t.inside(() => client.chat.completions.create({ model: "gpt-4o-mini", messages }).withResponse());
    expect(data.choices[0]!.message.content).toBe(TEXT);
    expect(response.status).toBe(200);
    expect(request_id).toBe("req_test");
    const raw = await t.inside(() => client.chat.completions.create({ model: "gpt-4o-mini", messages }).asResponse());
    expect((await raw.json()).id).toBe("chatcmpl-1");
    const calls = t.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]!.output).toBe(TEXT);
    expect(calls[1]).toMatchObject({ raw_response: true, cost_usd: null });
  });

  test("SDK helpers built on create (parse, stream) are logged too", async () => {
    const t = testRun();
    const parsed = await t.inside(() =>
      client.chat.completions.parse({
        model: "gpt-4o-mini",
        messages,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object", properties: { answer: { type: "string" } } } } },
      }),
    );
    expect(parsed.choices[0]!.message.content).toBe(JSON.stringify({ answer: TEXT }));
    const final = await t.inside(async () => {
      const runner = client.chat.completions.stream({ model: "gpt-4o-mini", messages, stream_options: { include_usage: true } });
      return runner.finalChatCompletion();
    });
    expect(final.choices[0]!.message.content).toBe(TEXT);
    const calls = t.calls();
    expect(calls.map((c) => c.stream ?? false)).toEqual([false, true]);
    expect(calls[1]!.usage.output_tokens).toBe(300);
  });
});

describe("chat.completions.create streams", () => {
  const streamed = { model: "gpt-4o-mini", messages, stream: true as const, stream_options: { include_usage: true } };

  test("chunks reach the caller unchanged and in order; the call is logged once it ends", async () => {
    const expected = await collect(await bare.chat.completions.create(streamed));
    const t = testRun();
    const chunks = await t.inside(async () => collect(await client.chat.completions.create(streamed)));
    expect(chunks).toEqual(expected);
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("")).toBe(TEXT);
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({ stream: true, output: TEXT, usage: { cached_tokens: 1000, reasoning_tokens: 100 }, finish_reason: "stop" });
    expect(call!.cost_usd).toBeCloseTo(CHAT_COST, 12);
    expect(call!.ttft_ms).toBeGreaterThan(0);
    expect(call!.ttft_ms).toBeLessThanOrEqual(call!.duration_ms);
  });

  test("without include_usage OpenAI sends no tokens: logged with cost null", async () => {
    const t = testRun();
    await t.inside(async () => collect(await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true })));
    const call = t.calls()[0]!;
    expect(call.output).toBe(TEXT);
    expect(call.usage).toBeUndefined();
    expect(call.cost_usd).toBeNull();
  });

  test("breaking out of the loop logs what arrived, marked aborted", async () => {
    const t = testRun();
    await t.inside(async () => {
      const stream = await client.chat.completions.create(streamed);
      let seen = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) seen++;
        if (seen === 2) break;
      }
    });
    const call = t.calls()[0]!;
    expect(call).toMatchObject({ stream: true, aborted: true, output: TEXT_PARTS[0]! + TEXT_PARTS[1]!, cost_usd: null });
  });

  test("tee(), toReadableStream() and controller keep working", async () => {
    const t = testRun();
    const [left, right] = await t.inside(async () => {
      const stream = await client.chat.completions.create(streamed);
      expect(stream.controller).toBeInstanceOf(AbortController);
      return stream.tee();
    });
    const [a, b] = await Promise.all([collect(left), collect(right)]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(TEXT_PARTS.length + 3);
    const lines = await t.inside(async () => {
      const stream = await client.chat.completions.create(streamed);
      return (await new Response(stream.toReadableStream()).text()).trim().split("\n");
    });
    expect(lines).toHaveLength(TEXT_PARTS.length + 3);
    expect(t.calls().map((c) => c.output)).toEqual([TEXT, TEXT]);
  });
});

describe("responses.create", () => {
  // gpt-5-mini: 500 fresh × $0.25 + 1500 cached × $0.025 + 500 output (400 of them reasoning) × $2.
  const cost = (500 * 0.25 + 1500 * 0.025 + 500 * 2) / 1e6;

  test("a plain call", async () => {
    const t = testRun();
    const res = await t.inside(() => client.responses.create({ model: "gpt-5-mini", input: "Say hello", instructions: "Be brief", reasoning: { effort: "low" } }));
    expect(res.output_text).toBe(TEXT);
    const call = t.calls()[0]!;
    expect(call).toMatchObject({ api: "responses", input: "Say hello", instructions: "Be brief", output: TEXT, params: { reasoning: { effort: "low" } }, usage: RESPONSES_USAGE_NORMALISED });
    expect(call.cost_usd).toBeCloseTo(cost, 12);
  });

  test("responses.parse (built on create and _thenUnwrap) is logged once", async () => {
    const t = testRun();
    const parsed = await t.inside(() =>
      client.responses.parse({
        model: "gpt-5-mini",
        input: "Say hello",
        text: { format: { type: "json_schema", name: "answer", schema: { type: "object", properties: { answer: { type: "string" } } } } },
      }),
    );
    expect(parsed.output_parsed as unknown).toEqual({ answer: TEXT });
    const calls = t.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.output).toBe(JSON.stringify({ answer: TEXT }));
  });

  test("a stream", async () => {
    const t = testRun();
    const events = await t.inside(async () => collect(await client.responses.create({ model: "gpt-5-mini", input: "Say hello", stream: true })));
    expect(events.map((e) => e.type as string)).toEqual(["response.created", ...TEXT_PARTS.map(() => "response.output_text.delta"), "response.completed"]);
    const call = t.calls()[0]!;
    expect(call).toMatchObject({ stream: true, output: TEXT, usage: RESPONSES_USAGE_NORMALISED });
    expect(call.cost_usd).toBeCloseTo(cost, 12);
  });
});

const RESPONSES_USAGE_NORMALISED = {
  input_tokens: RESPONSES_USAGE.input_tokens,
  output_tokens: RESPONSES_USAGE.output_tokens,
  total_tokens: RESPONSES_USAGE.total_tokens,
  cached_tokens: 1500,
  reasoning_tokens: 400,
};

test("embeddings.create logs a count and size, not the vectors", async () => {
  const t = testRun();
  const res = await t.inside(() => client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] }));
  expect(res.data[0]!.embedding).toEqual([0.25, -0.5, 0.75]);
  const call = t.calls()[0]!;
  expect(call).toMatchObject({ api: "embeddings", input: ["a", "b"], output: { embeddings: 2, dimensions: 3 }, usage: { input_tokens: 16, output_tokens: 0 } });
  expect(call.cost_usd).toBeCloseTo((16 * 0.02) / 1e6, 12);
});

describe("errors", () => {
  test.each([
    [429, "rate-limited", OpenAI.RateLimitError],
    [500, "server-error", OpenAI.InternalServerError],
  ])("a %i is logged with its status code and rethrown", async (status, model, type) => {
    const t = testRun();
    const error = await t.inside(() => client.chat.completions.create({ model, messages })).catch((e) => e);
    expect(error).toBeInstanceOf(type);
    expect(error.status).toBe(status);
    const call = t.calls()[0]!;
    expect(call).toMatchObject({ model, status_code: status, output: null, cost_usd: null, error: { name: type.name } });
    expect(call.error.message).toContain(String(status));
  });

  test("a failing stream request is logged and rethrown", async () => {
    const t = testRun();
    const error = await t.inside(() => client.chat.completions.create({ model: "rate-limited", messages, stream: true })).catch((e) => e);
    expect(error.status).toBe(429);
    expect(t.calls()[0]).toMatchObject({ status_code: 429, stream: true });
  });
});

describe("the wrapper", () => {
  test("outside a run: same answer, no file, no error", async () => {
    const { root } = tempProject();
    const before = server.total();
    const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    const chunks = await collect(await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }));
    expect(res.choices[0]!.message.content).toBe(TEXT);
    expect(chunks.length).toBe(TEXT_PARTS.length + 2);
    expect(server.total()).toBe(before + 2);
    expect(runFolders(root)).toEqual([]);
  });

  test("leaves the client untouched and keeps its type and members", async () => {
    const original = bare.chat.completions.create;
    const wrapped = wrapOpenAI(bare);
    expect(wrapped).not.toBe(bare);
    expect(wrapped).toBeInstanceOf(OpenAI);
    expect(bare.chat.completions.create).toBe(original);
    expect(wrapped.baseURL).toBe(bare.baseURL);
    expect(wrapped.chat).toBe(wrapped.chat);
    expect(wrapOpenAI(wrapped)).toBe(wrapped);
    // Calls on the original client are not logged.
    const t = testRun();
    await t.inside(() => bare.chat.completions.create({ model: "gpt-4o-mini", messages }));
    expect(t.calls()).toEqual([]);
  });
});
