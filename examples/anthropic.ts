/**
 * Tracking the official `@anthropic-ai/sdk` client: `messages.create` (plain and
 * `stream: true`) and `messages.stream()` land as `llm_call` events, with cache reads and
 * writes counted in the usage and priced at their own rates.
 *
 * From a folder where `scryptorum init` was run, with ANTHROPIC_API_KEY set:
 *   bun examples/anthropic.ts
 *   scryptorum run anthropic-demo --script examples/anthropic.ts
 */
import Anthropic from "@anthropic-ai/sdk";
import { experiment, getCurrentRun, wrapAnthropic } from "scryptorum";

const model = process.env.ANTHROPIC_MODEL ?? "claude-haiku-4-5";

export const main = experiment({ name: "anthropic-demo", config: { model } })(async () => {
  const anthropic = wrapAnthropic(new Anthropic());

  const message = await anthropic.messages.create({
    model,
    max_tokens: 64,
    system: "Answer in one short sentence.",
    messages: [{ role: "user", content: "Why is the sky blue?" }],
  });
  console.log("message:", message.content[0]?.type === "text" ? message.content[0].text : message.content);

  // A raw event stream: usage comes from message_start, then message_delta.
  const events = await anthropic.messages.create({
    model,
    max_tokens: 64,
    messages: [{ role: "user", content: "Count from one to five in words." }],
    stream: true,
  });
  process.stdout.write("stream: ");
  for await (const event of events) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") process.stdout.write(event.delta.text);
  }
  process.stdout.write("\n");

  // The SDK's helper is built on messages.create, so it is logged too.
  const final = await anthropic.messages.stream({ model, max_tokens: 32, messages: [{ role: "user", content: "Say hi." }] }).finalMessage();
  console.log("helper:", final.stop_reason);
  console.log("logged to", getCurrentRun()?.logFile);
});

if (import.meta.main) {
  if (!process.env.ANTHROPIC_API_KEY) {
    console.error("set ANTHROPIC_API_KEY to run this example against the Anthropic API");
  } else {
    await main();
  }
}
