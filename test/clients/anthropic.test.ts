/** wrapAnthropic against the real `@anthropic-ai/sdk` and a loopback server speaking Anthropic's wire format. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { wrapAnthropic } from "../../src/index";
import { tempProject } from "../helpers/project";
import { TEXT, TEXT_PARTS, startFakeProviders, type FakeProviders } from "./fake-providers";
import { collect, runFolders, testRun } from "./helpers";

let server: FakeProviders;
let bare: Anthropic;
let client: Anthropic;

beforeAll(() => {
  server = startFakeProviders();
  bare = new Anthropic({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 });
  client = wrapAnthropic(bare);
});
afterAll(() => server.stop());

const model = "claude-sonnet-4-6";
const messages = [{ role: "user" as const, content: "Say hello" }];
const request = { model, max_tokens: 256, system: "Be brief", messages, temperature: 0 };
// Anthropic counts input apart from cache reads and writes; the contract adds them up.
const USAGE = { input_tokens: 1300, output_tokens: 50, total_tokens: 1350, cached_tokens: 1000, cache_creation_tokens: 200 };
// claude-sonnet-4-6: 100 fresh × $3 + 1000 read × $0.30 + 200 written × $3.75 + 50 output × $15, per million.
const COST = (100 * 3 + 1000 * 0.3 + 200 * 3.75 + 50 * 15) / 1e6;

describe("messages.create", () => {
  test("a call lands as one llm_call with cache reads and writes in its usage and cost", async () => {
    const t = testRun();
    const msg = await t.inside(() => client.messages.create(request));
    expect(msg.content as unknown).toEqual([{ type: "text", text: TEXT }]);
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({
      model,
      response_model: "claude-sonnet-4-6-20250929",
      provider: "anthropic",
      api: "messages",
      input: messages,
      system: "Be brief",
      output: TEXT,
      finish_reason: "end_turn",
      params: { max_tokens: 256, temperature: 0 },
      usage: USAGE,
    });
    expect(call!.cost_usd).toBeCloseTo(COST, 12);
  });

  test("a stream reaches the caller unchanged; usage comes from message_start and message_delta", async () => {
    const expected = await collect(await bare.messages.create({ ...request, stream: true }));
    const t = testRun();
    const events = await t.inside(async () => collect(await client.messages.create({ ...request, stream: true })));
    expect(events).toEqual(expected);
    expect(events.map((e) => e.type)).toContain("message_delta");
    const [call, ...rest] = t.calls();
    expect(rest).toEqual([]);
    expect(call).toMatchObject({ stream: true, output: TEXT, usage: USAGE, finish_reason: "end_turn" });
    expect(call!.cost_usd).toBeCloseTo(COST, 12);
    expect(call!.ttft_ms).toBeGreaterThan(0);
  });

  test("breaking out of a stream logs what arrived, marked aborted", async () => {
    const t = testRun();
    await t.inside(async () => {
      for await (const event of await client.messages.create({ ...request, stream: true })) {
        if (event.type === "content_block_delta") break;
      }
    });
    const call = t.calls()[0]!;
    expect(call).toMatchObject({ aborted: true, output: TEXT_PARTS[0], cost_usd: null });
    // Cache reads and writes were announced in message_start; the final output count never came.
    expect(call.usage.output_tokens).toBe(1);
  });

  test("messages.stream(), built on create, is logged once", async () => {
    const t = testRun();
    const final = await t.inside(() => client.messages.stream(request).finalMessage());
    expect(final.content[0]).toMatchObject({ type: "text", text: TEXT });
    const calls = t.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ stream: true, output: TEXT, usage: USAGE });
  });

  test.each([
    [429, "rate-limited", Anthropic.RateLimitError],
    [500, "server-error", Anthropic.InternalServerError],
  ])("a %i is logged with its status code and rethrown", async (status, failing, type) => {
    const t = testRun();
    const error = await t.inside(() => client.messages.create({ ...request, model: failing })).catch((e) => e);
    expect(error).toBeInstanceOf(type);
    expect(t.calls()[0]).toMatchObject({ model: failing, status_code: status, output: null, cost_usd: null, error: { name: type.name } });
  });

  test("outside a run: same answer, no file", async () => {
    const { root } = tempProject();
    const msg = await client.messages.create(request);
    expect(msg.content[0]).toMatchObject({ text: TEXT });
    expect(runFolders(root)).toEqual([]);
  });
});
