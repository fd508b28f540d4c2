/**
 * The cost of tracking a real client: a wrapped call minus the bare client's call, against
 * the same loopback server, in the same run, in interleaved rounds. The wrapped calls log
 * an `llm_call` (usage, cost, params) into a trial run.
 *   openai chat completion (JSON), openai chat completion stream, Anthropic message (JSON),
 *   Vercel AI SDK generateText with scryptorumMiddleware vs a pass-through middleware (the
 *   AI SDK's own middleware layer is reported apart).
 * Target: under 5% of the bare call's time, or under 20 µs per call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel } from "ai";
import OpenAI from "openai";
import { Experiment, Project, scryptorumMiddleware, wrapAnthropic, wrapOpenAI } from "../../src/index";
import { withRun } from "../../src/tracking/context";
import { interleavedAsync, report } from "./harness";

const USAGE = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, prompt_tokens_details: { cached_tokens: 64 } };
const CHAT = JSON.stringify({
  id: "chatcmpl-1", object: "chat.completion", created: 1, model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content: "The answer is 42.", refusal: null }, finish_reason: "stop", logprobs: null }],
  usage: USAGE,
});
const chunk = (delta: object, extra: object = {}) =>
  `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const CHAT_SSE =
  chunk({ role: "assistant", content: "" }) + ["The ", "answer ", "is ", "42."].map((t) => chunk({ content: t })).join("") +
  `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [], usage: USAGE })}\n\ndata: [DONE]\n\n`;
const MESSAGE = JSON.stringify({
  id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5-20251001", content: [{ type: "text", text: "The answer is 42." }],
  stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 56, cache_read_input_tokens: 64, cache_creation_input_tokens: 0, output_tokens: 40 },
});

/** The loopback server, in a Worker so its work does not share the thread being timed. */
function serve(): number {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as { stream?: boolean };
      const path = new URL(req.url).pathname;
      if (path === "/v1/messages") return new Response(MESSAGE, { headers: { "content-type": "application/json" } });
      if (body.stream) return new Response(CHAT_SSE, { headers: { "content-type": "text/event-stream" } });
      return new Response(CHAT, { headers: { "content-type": "application/json" } });
    },
  });
  return server.port!;
}

if (!Bun.isMainThread) {
  const port = serve();
  self.postMessage(port);
}

function startServerWorker(): Promise<{ port: number; worker: Worker }> {
  const worker = new Worker(import.meta.url);
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve({ port: e.data as number, worker });
    worker.onerror = (e) => reject(new Error(`bench server failed: ${e.message}`));
  });
}

/** Reports a tracked variant against its baseline, with the target. */
function overhead(name: string, baseNs: number, trackedNs: number, baseline: string): void {
  const us = (trackedNs - baseNs) / 1000;
  const ratio = trackedNs / baseNs;
  report({ name: `${name}: ${baseline}`, value: baseNs / 1000, unit: "µs/call" });
  report({ name: `${name}: tracked minus ${baseline}`, value: us, unit: "µs/call", ratio, baseline, target: "< 5% or < 20 µs", ok: ratio < 1.05 || us < 20 });
}

export async function benchClients(): Promise<void> {
  const { port, worker } = await startServerWorker();
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-clients-"));
  const prevCache = process.env.SCRYPTORUM_CACHE;
  delete process.env.SCRYPTORUM_CACHE;
  try {
    const url = `http://127.0.0.1:${port}`;
    const project = Project.init(dir, { name: "bench", gitignore: false });
    const run = new Experiment(project, "clients").createRun();

    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "bench", maxRetries: 0 });
    const trackedOpenAI = wrapOpenAI(openai);
    const anthropic = new Anthropic({ baseURL: url, apiKey: "bench", maxRetries: 0 });
    const trackedAnthropic = wrapAnthropic(anthropic);
    const chatModel = createOpenAI({ baseURL: `${url}/v1`, apiKey: "bench" }).chat("gpt-4o-mini");
    const trackedModel = wrapLanguageModel({ model: chatModel, middleware: scryptorumMiddleware() });

    const system = "You answer in one sentence.";
    const messages = [{ role: "system" as const, content: system }, { role: "user" as const, content: "What is six times seven?" }];
    const prompt = "What is six times seven?";
    const chat = { model: "gpt-4o-mini", messages, temperature: 0, max_tokens: 64 };
    const stream = { ...chat, stream: true as const, stream_options: { include_usage: true } };
    const drain = async (s: AsyncIterable<unknown>) => {
      for await (const _ of s);
    };
    const message = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "What is six times seven?" }] };

    const pairs: [string, () => Promise<unknown>, () => Promise<unknown>, number][] = [
      ["openai chat.completions.create", () => openai.chat.completions.create(chat), () => trackedOpenAI.chat.completions.create(chat), 2000],
      ["openai chat.completions.create, stream", async () => drain(await openai.chat.completions.create(stream)), async () => drain(await trackedOpenAI.chat.completions.create(stream)), 1500],
      ["anthropic messages.create", () => anthropic.messages.create(message), () => trackedAnthropic.messages.create(message), 2000],
    ];
    for (const [name, bare, tracked, ops] of pairs) {
      const r = await withRun(run, () => interleavedAsync({ bare, tracked }, ops, 11));
      overhead(name, r.bare, r.tracked, "bare");
    }

    // The AI SDK's own middleware layer costs something whatever the middleware does: measure
    // it apart (bare model vs a pass-through middleware), then ours against the pass-through.
    const passModel = wrapLanguageModel({ model: chatModel, middleware: { specificationVersion: "v3", wrapGenerate: async ({ doGenerate }) => doGenerate() } });
    const gen = (model: typeof chatModel) => () => generateText({ model, system, prompt, maxRetries: 0 });
    const ai = await withRun(run, () => interleavedAsync({ bare: gen(chatModel), pass: gen(passModel), tracked: gen(trackedModel) }, 1000, 15));
    report({ name: "ai generateText: bare model", value: ai.bare / 1000, unit: "µs/call" });
    report({ name: "ai generateText: pass-through middleware minus bare", value: (ai.pass - ai.bare) / 1000, unit: "µs/call" });
    overhead("ai generateText", ai.pass, ai.tracked, "pass-through middleware");
    run.finish();
  } finally {
    if (prevCache !== undefined) process.env.SCRYPTORUM_CACHE = prevCache;
    worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchClients();
