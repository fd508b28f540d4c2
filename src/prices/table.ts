/**
 * The price table shipped with scryptorum: USD per million tokens, standard (non-batch,
 * non-priority) tier, for the shortest context band where a provider has several. Each row
 * says when its price was read and where. The table's `version` is written to every
 * milestone's environment.json as `prices_version`, so a cost can be traced to the table
 * that computed it. Bump `version` whenever a row changes.
 *
 * `cached_input` is the price of prompt tokens read from the provider's prompt cache,
 * `cache_write` the price of prompt tokens written to it (Anthropic's 5-minute writes);
 * either one, when absent, is the `input` price. `output` covers reasoning tokens too:
 * providers bill them as output, and report them inside the output count.
 */

export type PriceProvider = "openai" | "anthropic" | "google";

export interface PriceRow {
  provider: PriceProvider;
  /** USD per million prompt tokens not read from or written to a cache. */
  input: number;
  /** USD per million prompt tokens read from the prompt cache (default: `input`). */
  cached_input?: number;
  /** USD per million prompt tokens written to the prompt cache (default: `input`). */
  cache_write?: number;
  /** USD per million output tokens, reasoning tokens included. */
  output: number;
  /** The day the price was read (YYYY-MM-DD). */
  as_of: string;
  /** The provider's pricing page. */
  source: string;
  note?: string;
}

export interface PriceTable {
  /** Changes whenever a row does; recorded as `prices_version` in environment.json. */
  version: string;
  currency: "USD";
  unit: "per_million_tokens";
  models: Readonly<Record<string, Readonly<PriceRow>>>;
}

const OPENAI = "https://developers.openai.com/api/docs/pricing";
const ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing";
const GOOGLE = "https://ai.google.dev/gemini-api/docs/pricing";

type Rates = [input: number, cachedInput: number | undefined, output: number];

const openai = (asOf: string, rates: Rates, note?: string): PriceRow =>
  row("openai", rates[0], rates[1], undefined, rates[2], asOf, OPENAI, note);
const google = (asOf: string, rates: Rates, note?: string): PriceRow =>
  row("google", rates[0], rates[1], undefined, rates[2], asOf, GOOGLE, note);
/** Anthropic: input, 5-minute cache write, cache read, output. */
const anthropic = (asOf: string, input: number, write: number, read: number, output: number, note?: string): PriceRow =>
  row("anthropic", input, read, write, output, asOf, ANTHROPIC, note);

function row(
  provider: PriceProvider, input: number, cached: number | undefined, write: number | undefined,
  output: number, asOf: string, source: string, note?: string,
): PriceRow {
  const r: PriceRow = { provider, input, output, as_of: asOf, source };
  if (cached !== undefined) r.cached_input = cached;
  if (write !== undefined) r.cache_write = write;
  if (note !== undefined) r.note = note;
  return Object.freeze(r);
}

const LONG_CONTEXT = "prompts over 200k tokens cost more; this is the lower band";

/**
 * The shipped prices. Read-only; override or add models in `.scryptorum` under "prices".
 *
 * @example
 * priceTable.models["gpt-4o-mini"]; // { provider: "openai", input: 0.15, cached_input: 0.075, output: 0.6, … }
 */
export const priceTable: PriceTable = Object.freeze({
  version: "2026-11-26",
  currency: "USD",
  unit: "per_million_tokens",
  models: Object.freeze({
    // OpenAI
    "gpt-5.5": openai("2026-06-04", [5, 0.5, 30], "short-context rate"),
    "gpt-5.5-pro": openai("2026-06-04", [30, undefined, 180]),
    "gpt-5.4": openai("2026-06-04", [2.5, 0.25, 15], "short-context rate"),
    "gpt-5.4-mini": openai("2026-06-04", [0.75, 0.075, 4.5]),
    "gpt-5.4-nano": openai("2026-06-04", [0.2, 0.02, 1.25]),
    "gpt-5.4-pro": openai("2026-06-04", [30, undefined, 180]),
    "gpt-5.2": openai("2025-12-11", [1.75, 0.175, 14]),
    "gpt-5.1": openai("2025-11-13", [1.25, 0.125, 10]),
    "gpt-5": openai("2025-08-07", [1.25, 0.125, 10]),
    "gpt-5-mini": openai("2025-08-07", [0.25, 0.025, 2]),
    "gpt-5-nano": openai("2025-08-07", [0.05, 0.005, 0.4]),
    "gpt-4.1": openai("2025-08-07", [2, 0.5, 8]),
    "gpt-4.1-mini": openai("2025-08-07", [0.4, 0.1, 1.6]),
    "gpt-4.1-nano": openai("2025-08-07", [0.1, 0.025, 0.4]),
    "gpt-4o": openai("2025-08-07", [2.5, 1.25, 10]),
    "gpt-4o-mini": openai("2025-08-07", [0.15, 0.075, 0.6]),
    o3: openai("2025-08-07", [2, 0.5, 8]),
    "o4-mini": openai("2025-08-07", [1.1, 0.275, 4.4]),
    "text-embedding-3-small": openai("2025-08-07", [0.02, undefined, 0]),
    "text-embedding-3-large": openai("2025-08-07", [0.13, undefined, 0]),
    "text-embedding-ada-002": openai("2025-08-07", [0.1, undefined, 0]),

    // Anthropic (cache writes: the 5-minute price; 1-hour writes cost more)
    "claude-fable-5-1": anthropic("2026-10-24", 10, 12.5, 0.25, 50),
    "claude-fable-5": anthropic("2026-10-24", 10, 12.5, 1, 50),
    "claude-mythos-5-1": anthropic("2026-10-24", 10, 12.5, 0.25, 50, "limited availability"),
    "claude-mythos-5": anthropic("2026-10-24", 10, 12.5, 1, 50, "limited availability"),
    "claude-opus-5": anthropic("2026-10-24", 5, 6.25, 0.5, 25),
    "claude-opus-4-8": anthropic("2026-10-24", 5, 6.25, 0.5, 25),
    "claude-opus-4-7": anthropic("2026-10-24", 5, 6.25, 0.5, 25),
    "claude-opus-4-6": anthropic("2026-10-24", 5, 6.25, 0.5, 25),
    "claude-opus-4-5": anthropic("2026-10-24", 5, 6.25, 0.5, 25),
    "claude-opus-4-1": anthropic("2026-10-24", 15, 18.75, 1.5, 75),
    "claude-opus-4": anthropic("2026-10-24", 15, 18.75, 1.5, 75),
    "claude-sonnet-5-5": anthropic("2026-10-24", 2, 2.5, 0.1, 10, "cache reads cut from $0.20 on 2026-10-07"),
    "claude-sonnet-5": anthropic("2026-10-24", 2, 2.5, 0.2, 10),
    "claude-sonnet-4-6": anthropic("2026-10-24", 3, 3.75, 0.3, 15),
    "claude-sonnet-4-5": anthropic("2026-10-24", 3, 3.75, 0.3, 15, LONG_CONTEXT),
    "claude-sonnet-4": anthropic("2026-10-24", 3, 3.75, 0.3, 15, LONG_CONTEXT),
    "claude-3-7-sonnet": anthropic("2026-10-24", 3, 3.75, 0.3, 15),
    "claude-haiku-5-5": anthropic("2026-10-24", 0.1, 0.125, 0.01, 0.5, "prompts over 100k tokens cost more; this is the lower band"),
    "claude-haiku-4-5": anthropic("2026-10-24", 1, 1.25, 0.1, 5),
    "claude-3-5-haiku": anthropic("2026-10-24", 0.8, 1, 0.08, 4),
    "claude-3-haiku": anthropic("2026-10-24", 0.25, 0.3, 0.03, 1.25),

    // Google (context caching storage, billed per hour, is not a token price and is left out)
    "gemini-3-pro-preview": google("2026-07-04", [2, 0.2, 12], LONG_CONTEXT),
    "gemini-3-flash-preview": google("2026-07-04", [0.5, 0.05, 3], "text, image and video input; audio costs more"),
    "gemini-2.5-pro": google("2026-06-17", [1.25, 0.125, 10], LONG_CONTEXT),
    "gemini-2.5-flash": google("2026-06-17", [0.3, 0.03, 2.5], "text, image and video input; audio costs more"),
    "gemini-2.5-flash-lite": google("2026-06-17", [0.1, 0.01, 0.4], "text, image and video input; audio costs more"),
    "gemini-2.0-flash": google("2026-06-17", [0.1, 0.025, 0.4], "text, image and video input; audio costs more"),
  }),
});
