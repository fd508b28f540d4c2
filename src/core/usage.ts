/**
 * One normaliser for token usage, shared by `llmCall`, `run.logLlmCall` and the client
 * wrappers. `input_tokens` counts every prompt token, cached ones included (OpenAI's
 * meaning); Anthropic's separate cache counts are added up to match.
 */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_tokens?: number;
  cache_creation_tokens?: number;
  reasoning_tokens?: number;
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" ? (v as Obj) : undefined);

function build(input: number, output: number, total: number | undefined, extra: Partial<Usage>): Usage {
  const usage: Usage = { input_tokens: input, output_tokens: output, total_tokens: total ?? input + output };
  if (extra.cached_tokens !== undefined) usage.cached_tokens = extra.cached_tokens;
  if (extra.cache_creation_tokens !== undefined) usage.cache_creation_tokens = extra.cache_creation_tokens;
  if (extra.reasoning_tokens !== undefined) usage.reasoning_tokens = extra.reasoning_tokens;
  return usage;
}

/**
 * Normalises a usage block (or a whole response holding `usage`, `usageMetadata` or
 * `totalUsage`) from OpenAI (chat and responses), Anthropic, Google and the Vercel AI SDK
 * (v4 and v5), or our own shape. Returns undefined when nothing recognisable is there.
 *
 * @example
 * normalizeUsage({ usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
 * // { input_tokens: 10, output_tokens: 2, total_tokens: 12 }
 */
export function normalizeUsage(source: unknown): Usage | undefined {
  const o = obj(source);
  if (!o) return undefined;
  const direct = fromUsageBlock(o);
  if (direct) return direct;
  for (const key of ["usage", "totalUsage", "usageMetadata", "usage_metadata"]) {
    const inner = obj(o[key]);
    if (inner) {
      const u = fromUsageBlock(inner);
      if (u) return u;
    }
  }
  // Vercel AI SDK responses keep the provider's raw response one level down.
  const raw = obj(o.response) ?? obj(o.rawResponse);
  return raw && raw !== o ? normalizeUsage(obj(raw.body) ?? raw) : undefined;
}

function fromUsageBlock(u: Obj): Usage | undefined {
  // OpenAI chat completions.
  if (num(u.prompt_tokens) !== undefined || num(u.completion_tokens) !== undefined) {
    const pd = obj(u.prompt_tokens_details);
    const cd = obj(u.completion_tokens_details);
    return build(num(u.prompt_tokens) ?? 0, num(u.completion_tokens) ?? 0, num(u.total_tokens), {
      cached_tokens: num(pd?.cached_tokens),
      reasoning_tokens: num(cd?.reasoning_tokens),
    });
  }
  if (num(u.input_tokens) !== undefined || num(u.output_tokens) !== undefined) {
    const cacheRead = num(u.cache_read_input_tokens);
    const cacheWrite = num(u.cache_creation_input_tokens);
    if (cacheRead !== undefined || cacheWrite !== undefined) {
      // Anthropic: input_tokens excludes cache reads and writes.
      const input = (num(u.input_tokens) ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
      return build(input, num(u.output_tokens) ?? 0, undefined, {
        cached_tokens: cacheRead,
        cache_creation_tokens: cacheWrite,
      });
    }
    // OpenAI responses API, or already normalised.
    const id = obj(u.input_tokens_details);
    const od = obj(u.output_tokens_details);
    return build(num(u.input_tokens) ?? 0, num(u.output_tokens) ?? 0, num(u.total_tokens), {
      cached_tokens: num(id?.cached_tokens) ?? num(u.cached_tokens),
      cache_creation_tokens: num(u.cache_creation_tokens),
      reasoning_tokens: num(od?.reasoning_tokens) ?? num(u.reasoning_tokens),
    });
  }
  // Vercel AI SDK v6+ (inputTokenDetails), v5 (inputTokens) and v4 (promptTokens).
  if (num(u.inputTokens) !== undefined || num(u.outputTokens) !== undefined) {
    const id = obj(u.inputTokenDetails);
    const od = obj(u.outputTokenDetails);
    return build(num(u.inputTokens) ?? 0, num(u.outputTokens) ?? 0, num(u.totalTokens), {
      cached_tokens: num(u.cachedInputTokens) ?? num(id?.cacheReadTokens),
      cache_creation_tokens: num(id?.cacheWriteTokens),
      reasoning_tokens: num(u.reasoningTokens) ?? num(od?.reasoningTokens),
    });
  }
  // A Vercel AI SDK provider's own usage (LanguageModelV3 and later), as middleware sees it:
  // `total` counts every prompt token, `noCache` the ones neither read from nor written to a cache.
  const it = obj(u.inputTokens);
  const ot = obj(u.outputTokens);
  if (it || ot) {
    const read = num(it?.cacheRead);
    const write = num(it?.cacheWrite);
    const input = num(it?.total) ?? (num(it?.noCache) ?? 0) + (read ?? 0) + (write ?? 0);
    return build(input, num(ot?.total) ?? 0, undefined, { cached_tokens: read, cache_creation_tokens: write, reasoning_tokens: num(ot?.reasoning) });
  }
  if (num(u.promptTokens) !== undefined || num(u.completionTokens) !== undefined) {
    return build(num(u.promptTokens) ?? 0, num(u.completionTokens) ?? 0, num(u.totalTokens), {});
  }
  // Google Gemini usageMetadata.
  if (num(u.promptTokenCount) !== undefined) {
    return build(num(u.promptTokenCount) ?? 0, (num(u.candidatesTokenCount) ?? 0) + (num(u.thoughtsTokenCount) ?? 0), num(u.totalTokenCount), {
      cached_tokens: num(u.cachedContentTokenCount),
      reasoning_tokens: num(u.thoughtsTokenCount),
    });
  }
  return undefined;
}
