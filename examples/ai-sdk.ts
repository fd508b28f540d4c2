/**
 * Tracking the Vercel AI SDK: wrap the model with `scryptorumMiddleware()` and every model
 * call that generateText, streamText or generateObject makes lands as an `llm_call`.
 *
 * From a folder where `scryptorum init` was run, with OPENAI_API_KEY set:
 *   bun examples/ai-sdk.ts
 *   scryptorum run ai-sdk-demo --script examples/ai-sdk.ts
 */
import { openai } from "@ai-sdk/openai";
import { generateObject, generateText, jsonSchema, streamText, wrapLanguageModel } from "ai";
import { experiment, getCurrentRun, scryptorumMiddleware } from "scryptorum";

const modelId = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
const model = wrapLanguageModel({ model: openai(modelId), middleware: scryptorumMiddleware() });

export const main = experiment({ name: "ai-sdk-demo", config: { model: modelId } })(async () => {
  const { text } = await generateText({ model, prompt: "Name one prime number between 20 and 30. Answer with the number only." });
  console.log("generateText:", text);

  const result = streamText({ model, prompt: "Count from one to five in words." });
  process.stdout.write("streamText: ");
  for await (const delta of result.textStream) process.stdout.write(delta);
  process.stdout.write("\n");

  const { object } = await generateObject({
    model,
    schema: jsonSchema<{ city: string; country: string }>({
      type: "object",
      properties: { city: { type: "string" }, country: { type: "string" } },
      required: ["city", "country"],
      additionalProperties: false,
    }),
    prompt: "Name the capital of Japan.",
  });
  console.log("generateObject:", object);
  console.log("logged to", getCurrentRun()?.logFile);
});

if (import.meta.main) {
  if (!process.env.OPENAI_API_KEY) {
    console.error("set OPENAI_API_KEY to run this example against the OpenAI API");
  } else {
    await main();
  }
}
