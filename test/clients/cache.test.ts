/**
 * The response cache through the real SDKs: a second identical run makes no HTTP request
 * (the server counts them) and logs hits at zero cost; streams are replayed chunk for chunk.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText, wrapLanguageModel } from "ai";
import OpenAI from "openai";
import { scryptorumMiddleware, wrapAnthropic, wrapOpenAI } from "../../src/index";
import { tempProject } from "../helpers/project";
import { TEXT, startFakeProviders, type FakeProviders } from "./fake-providers";
import { collect, testRun } from "./helpers";

let server: FakeProviders;
let openai: OpenAI;
let anthropic: Anthropic;
let aiModel: ReturnType<typeof wrapLanguageModel>;
let root: string;

beforeAll(() => {
  server = startFakeProviders();
  openai = wrapOpenAI(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 }));
  anthropic = wrapAnthropic(new Anthropic({ baseURL: server.url, apiKey: "k", maxRetries: 0 }));
  aiModel = wrapLanguageModel({ model: createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "k" }).chat("gpt-4o-mini"), middleware: scryptorumMiddleware() });
});
afterAll(() => server.stop());

const saved = process.env.SCRYPTORUM_CACHE;
beforeEach(() => {
  process.env.SCRYPTORUM_CACHE = "1";
  root = tempProject().root;
});
afterEach(() => {
  if (saved === undefined) delete process.env.SCRYPTORUM_CACHE;
  else process.env.SCRYPTORUM_CACHE = saved;
});

const messages = [{ role: "user" as const, content: "Say hello" }];

/** Every kind of call the wrappers cache; each returns what the caller saw. */
const workload = async () => ({
  chat: (await openai.chat.completions.create({ model: "gpt-4o-mini", messages })).choices[0]!.message.content,
  chatStream: await collect(await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } })),
  responses: (await openai.responses.create({ model: "gpt-5-mini", input: "Say hello" })).output_text,
  responsesStream: await collect(await openai.responses.create({ model: "gpt-5-mini", input: "Say hello", stream: true })),
  embeddings: (await openai.embeddings.create({ model: "text-embedding-3-small", input: "a" })).data[0]!.embedding,
  anthropic: (await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages })).content,
  anthropicStream: await collect(await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages, stream: true })),
  aiText: (await generateText({ model: aiModel, prompt: "Say hello", maxRetries: 0 })).text,
  aiStream: await (async () => {
    const out: string[] = [];
    for await (const d of streamText({ model: aiModel, prompt: "Say hello", maxRetries: 0 }).textStream) out.push(d);
    return out;
  })(),
});

describe("SCRYPTORUM_CACHE=1", () => {
  test("a second identical run makes no HTTP request and logs hits at zero cost", async () => {
    const first = testRun(root);
    const before = server.total();
    const live = await first.inside(workload);
    first.finish();
    const requests = server.total() - before;
    expect(requests).toBe(9);
    const missed = first.calls();
    expect(missed).toHaveLength(9);
    expect(missed.every((c) => c.cache_hit === false && typeof c.cache_key === "string")).toBe(true);
    expect(missed.filter((c) => c.cost_usd > 0)).toHaveLength(9);

    const second = testRun(root);
    const replayed = await second.inside(workload);
    expect(server.total() - before).toBe(requests);
    expect(replayed).toEqual(live);
    expect(replayed.aiStream.join("")).toBe(TEXT);
    const hits = second.calls();
    expect(hits).toHaveLength(9);
    for (const [i, hit] of hits.entries()) {
      expect(hit).toMatchObject({ cache_hit: true, cost_usd: 0, cache_key: missed[i]!.cache_key, output: missed[i]!.output, model: missed[i]!.model });
      expect(hit.usage).toEqual(missed[i]!.usage);
    }
    const folders = readdirSync(join(root, "cache")).sort();
    expect(folders).toEqual(["anthropic", "openai"]);
  });

  test("non-semantic options share an entry; a changed request does not", async () => {
    const t = testRun(root);
    const before = server.total();
    await t.inside(async () => {
      await openai.chat.completions.create({ model: "gpt-4o-mini", messages, user: "alice", metadata: { a: "1" } });
      await openai.chat.completions.create({ model: "gpt-4o-mini", messages, user: "bob" });
      await openai.chat.completions.create({ model: "gpt-4o-mini", messages, temperature: 0.9 });
      await openai.chat.completions.create({ model: "gpt-4o", messages });
    });
    expect(server.total() - before).toBe(3);
    expect(t.calls().map((c) => c.cache_hit)).toEqual([false, true, false, false]);
  });

  test("a stream replays as a stream: tee() and toReadableStream() included", async () => {
    const request = { model: "gpt-4o-mini", messages, stream: true as const, stream_options: { include_usage: true } };
    const t = testRun(root);
    const live = await t.inside(async () => collect(await openai.chat.completions.create(request)));
    const [a, b] = await t.inside(async () => (await openai.chat.completions.create(request)).tee());
    expect(await collect(a)).toEqual(live);
    expect(await collect(b)).toEqual(live);
    const text = await t.inside(async () => new Response((await openai.chat.completions.create(request)).toReadableStream()).text());
    expect(text.trim().split("\n").map((l) => JSON.parse(l))).toEqual(live);
    const { data, response } = await t.inside(() => openai.chat.completions.create(request).withResponse());
    expect(await collect(data)).toEqual(live);
    expect(response.headers.get("x-scryptorum-cache")).toBe("hit");
  });

  test("errors and abandoned streams are not cached", async () => {
    const t = testRun(root);
    const before = server.total();
    await t.inside(async () => {
      for (let i = 0; i < 2; i++) await openai.chat.completions.create({ model: "rate-limited", messages }).catch(() => undefined);
      for (let i = 0; i < 2; i++) {
        for await (const _ of await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true })) break;
      }
    });
    expect(server.total() - before).toBe(4);
    expect(t.calls().map((c) => c.cache_hit)).toEqual([false, false, false, false]);
  });

  test("outside a run the cache is neither read nor written", async () => {
    const before = server.total();
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(server.total() - before).toBe(2);
    expect(existsSync(join(root, "cache"))).toBe(false);
  });

  test("without SCRYPTORUM_CACHE nothing is cached", async () => {
    delete process.env.SCRYPTORUM_CACHE;
    const t = testRun(root);
    const before = server.total();
    await t.inside(async () => {
      await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
      await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
    });
    expect(server.total() - before).toBe(2);
    expect(t.calls().some((c) => "cache_hit" in c)).toBe(false);
    expect(existsSync(join(root, "cache"))).toBe(false);
  });
});
