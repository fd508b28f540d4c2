import { describe, expect, test } from "bun:test";
import { normalizeUsage } from "../../../src/core/usage";

describe("normalizeUsage", () => {
  test.each([
    [
      "OpenAI chat with cached and reasoning tokens",
      { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 8 } } },
      { input_tokens: 100, output_tokens: 20, total_tokens: 120, cached_tokens: 40, reasoning_tokens: 8 },
    ],
    [
      "OpenAI responses API",
      { usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60, input_tokens_details: { cached_tokens: 5 }, output_tokens_details: { reasoning_tokens: 3 } } },
      { input_tokens: 50, output_tokens: 10, total_tokens: 60, cached_tokens: 5, reasoning_tokens: 3 },
    ],
    [
      "Anthropic: cache reads and writes added to input",
      { type: "message", usage: { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 } },
      { input_tokens: 130, output_tokens: 7, total_tokens: 137, cached_tokens: 100, cache_creation_tokens: 20 },
    ],
    [
      "Vercel AI SDK v5",
      { usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15, cachedInputTokens: 2, reasoningTokens: 1 } },
      { input_tokens: 12, output_tokens: 3, total_tokens: 15, cached_tokens: 2, reasoning_tokens: 1 },
    ],
    [
      "Vercel AI SDK v6 result usage (token details)",
      { usage: { inputTokens: 120, inputTokenDetails: { noCacheTokens: 20, cacheReadTokens: 90, cacheWriteTokens: 10 }, outputTokens: 30, outputTokenDetails: { textTokens: 25, reasoningTokens: 5 }, totalTokens: 150 } },
      { input_tokens: 120, output_tokens: 30, total_tokens: 150, cached_tokens: 90, cache_creation_tokens: 10, reasoning_tokens: 5 },
    ],
    [
      "Vercel AI SDK provider usage (LanguageModelV3, seen by middleware)",
      { usage: { inputTokens: { total: 120, noCache: 20, cacheRead: 90, cacheWrite: 10 }, outputTokens: { total: 30, text: 25, reasoning: 5 } } },
      { input_tokens: 120, output_tokens: 30, total_tokens: 150, cached_tokens: 90, cache_creation_tokens: 10, reasoning_tokens: 5 },
    ],
    [
      "Vercel AI SDK provider usage without a total",
      { inputTokens: { total: undefined, noCache: 7, cacheRead: 3, cacheWrite: undefined }, outputTokens: { total: 2, text: undefined, reasoning: undefined } },
      { input_tokens: 10, output_tokens: 2, total_tokens: 12, cached_tokens: 3 },
    ],
    ["Vercel AI SDK v4", { usage: { promptTokens: 9, completionTokens: 1, totalTokens: 10 } }, { input_tokens: 9, output_tokens: 1, total_tokens: 10 }],
    [
      "Google usageMetadata",
      { usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 5, totalTokenCount: 35, cachedContentTokenCount: 10 } },
      { input_tokens: 30, output_tokens: 5, total_tokens: 35, cached_tokens: 10 },
    ],
    ["a bare usage block", { prompt_tokens: 1, completion_tokens: 2 }, { input_tokens: 1, output_tokens: 2, total_tokens: 3 }],
    ["already normalised", { input_tokens: 4, output_tokens: 1, total_tokens: 5, cached_tokens: 1 }, { input_tokens: 4, output_tokens: 1, total_tokens: 5, cached_tokens: 1 }],
  ])("%s", (_name, input, expected) => {
    expect(normalizeUsage(input)).toEqual(expected);
  });

  test.each([["a string", "hello"], ["null", null], ["no usage", { choices: [] }], ["a number", 3]])("%s gives undefined", (_n, input) => {
    expect(normalizeUsage(input)).toBeUndefined();
  });
});
