/**
 * Tracking the official `openai` client: wrap it once, and every chat completion, response
 * and embedding made inside a run is an `llm_call` in run.jsonl (tokens, cost, timing).
 *
 * From a folder where `scryptorum init` was run, with OPENAI_API_KEY set:
 *   bun examples/openai.ts                                    a trial run, direct
 *   scryptorum run openai-demo --script examples/openai.ts    the same, under the CLI
 *   SCRYPTORUM_CACHE=1 bun examples/openai.ts                 a second run is answered from cache/
 */
import OpenAI from "openai";
import { experiment, getCurrentRun, wrapOpenAI } from "scryptorum";

const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

export const main = experiment({ name: "openai-demo", config: { model } })(async () => {
  // The one line: a Proxy typed as the client; the client itself stays as it is.
  const openai = wrapOpenAI(new OpenAI());

  const answer = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Name one prime number between 20 and 30. Answer with the number only." }],
    temperature: 0,
    max_tokens: 8,
  });
  console.log("chat:", answer.choices[0]?.message.content);

  // A stream: chunks reach this loop untouched. Ask for usage, or OpenAI sends no token counts.
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Count from one to five in words." }],
    stream: true,
    stream_options: { include_usage: true },
  });
  process.stdout.write("stream: ");
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
  process.stdout.write("\n");

  const response = await openai.responses.create({ model, input: "Say hello in French, one word." });
  console.log("responses:", response.output_text);

  const embedding = await openai.embeddings.create({ model: "text-embedding-3-small", input: "scryptorum" });
  console.log("embedding dimensions:", embedding.data[0]?.embedding.length);
  console.log("logged to", getCurrentRun()?.logFile);
});

if (import.meta.main) {
  if (!process.env.OPENAI_API_KEY) {
    console.error("set OPENAI_API_KEY to run this example against the OpenAI API");
  } else {
    await main();
  }
}
