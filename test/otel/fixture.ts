/**
 * A run with nested timers and LLM calls through the OpenAI, Anthropic and AI SDK wrappers
 * and `llmCall`, against the loopback fake providers, for the OpenTelemetry tests.
 */
import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel } from "ai";
import OpenAI from "openai";
import { Experiment } from "../../src/core/experiment";
import type { Run } from "../../src/core/run";
import { withRun } from "../../src/tracking/context";
import { llmCall, scryptorumMiddleware, timer, wrapAnthropic, wrapOpenAI } from "../../src/index";
import type { FakeProviders } from "../clients/fake-providers";

export const SECRET_PROMPT = "Tell me the secret plan";
export const SYSTEM = "You are terse.";

/** Logs the run: pipeline > (retrieve, openai chat, anthropic messages, AI SDK generateText, llmCall answer, a 429). */
export async function tracedRun(root: string, server: FakeProviders, opts: { experiment?: string; fail?: boolean } = {}): Promise<Run> {
  const run = new Experiment(root, opts.experiment ?? "otel").createRun();
  const openai = wrapOpenAI(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "test-key", maxRetries: 0 }));
  const anthropic = wrapAnthropic(new Anthropic({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 }));
  const model = wrapLanguageModel({ model: createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "test-key" }).chat("gpt-4o-mini"), middleware: scryptorumMiddleware() });
  const answer = llmCall({ model: "gpt-4o", name: "answer" })(async (question: string) => `42 is the answer to ${question}`);
  const retrieve = timer("retrieve")(() => ["doc1", "doc2"]);
  const pipeline = timer("pipeline")(async () => {
    retrieve();
    await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: SYSTEM }, { role: "user", content: SECRET_PROMPT }],
      temperature: 0.2,
      max_tokens: 64,
    });
    await anthropic.messages.create({ model: "claude-sonnet-4-6", system: SYSTEM, max_tokens: 100, messages: [{ role: "user", content: SECRET_PROMPT }] });
    await generateText({ model, prompt: SECRET_PROMPT, temperature: 0.5, maxRetries: 0 });
    await answer(SECRET_PROMPT);
    await openai.chat.completions.create({ model: "rate-limited", messages: [{ role: "user", content: SECRET_PROMPT }] }).catch(() => undefined);
  });
  await withRun(run, async () => {
    await pipeline();
    run.logMetric("accuracy", 0.75, "accuracy");
    run.logEvent("dataset_loaded", { rows: 3, input: SECRET_PROMPT });
  });
  if (opts.fail) run.fail(new TypeError("boom"));
  else run.finish();
  return run;
}
