/**
 * Cost of an LLM call: the shipped price table, with the user's overrides from
 * `.scryptorum` (`"prices": {"model-id": {"input": 0.15, "cached_input": 0.075, "output": 0.6}}`)
 * laid over it. An unknown model costs `null`, never a guess.
 */
import { Project } from "../core/project";
import { normalizeUsage } from "../core/usage";
import { priceTable } from "./table";

export { priceTable, type PriceRow, type PriceTable, type PriceProvider } from "./table";

/** A price as found for a model: the row, the id it was found under, and where it came from. */
export interface ModelPrice {
  /** The table or override key that matched. */
  model: string;
  input: number;
  cached_input: number;
  cache_write: number;
  output: number;
  as_of?: string;
  source: string;
}

/** A user's price, as `.scryptorum` gives it: USD per million tokens. */
export interface PriceOverride {
  input?: number;
  cached_input?: number;
  cache_write?: number;
  output?: number;
}

const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/**
 * The ids a model is looked up under, in order: as given, then without its date suffix
 * (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-haiku-4-5-20251001` → `claude-haiku-4-5`, and
 * Anthropic's `-latest` aliases), then the same without a routing prefix (`openai/gpt-4o`).
 */
export function modelCandidates(model: string): string[] {
  const out = [model];
  const add = (id: string) => {
    if (id && !out.includes(id)) out.push(id);
  };
  add(model.replace(DATE_SUFFIX, ""));
  const slash = model.lastIndexOf("/");
  if (slash >= 0) {
    const base = model.slice(slash + 1);
    add(base);
    add(base.replace(DATE_SUFFIX, ""));
  }
  return out;
}

/**
 * The price of a model, or undefined when neither the overrides nor the table know it.
 *
 * @example
 * findPrice("gpt-4o-mini-2024-07-18"); // { model: "gpt-4o-mini", input: 0.15, cached_input: 0.075, … }
 */
export function findPrice(model: string): ModelPrice | undefined {
  if (typeof model !== "string" || model === "") return undefined;
  const overrides = loadOverrides();
  // Every call of a run asks for the same few models: remember the answers (misses too).
  if (overrides.found.has(model)) return overrides.found.get(model);
  const found = lookUp(model, overrides);
  if (overrides.found.size < 10_000) overrides.found.set(model, found);
  return found;
}

function lookUp(model: string, overrides: Overrides): ModelPrice | undefined {
  for (const id of modelCandidates(model)) {
    const base = Object.hasOwn(priceTable.models, id) ? priceTable.models[id] : undefined;
    const own = overrides.prices.get(id);
    if (own) {
      const merged: PriceOverride = { ...base, ...own };
      if (merged.input === undefined || merged.output === undefined) continue; // reported when loaded
      return price(id, merged, overrides.source);
    }
    if (base) return price(id, base, base.source, base.as_of);
  }
  return undefined;
}

function price(model: string, row: PriceOverride, source: string, asOf?: string): ModelPrice {
  const p: ModelPrice = {
    model,
    input: row.input!,
    cached_input: row.cached_input ?? row.input!,
    cache_write: row.cache_write ?? row.input!,
    output: row.output!,
    source,
  };
  if (asOf !== undefined) p.as_of = asOf;
  return Object.freeze(p);
}

/**
 * The cost in USD of a call, or null when the model has no price or the usage is unknown:
 * `(input - cached - cache_creation) × input + cached × cached_input + cache_creation ×
 * cache_write + output × output`, per million tokens. Reasoning tokens are part of the
 * output tokens (OpenAI reports them inside `completion_tokens`), so they are not added again.
 *
 * @example
 * estimateCost("gpt-4o-mini", { prompt_tokens: 1000, completion_tokens: 200 }); // 0.00027
 */
export function estimateCost(model: string | undefined, usage: unknown): number | null {
  if (model === undefined) return null;
  const u = normalizeUsage(usage);
  if (!u) return null;
  const p = findPrice(model);
  if (!p) return null;
  const cached = u.cached_tokens ?? 0;
  const created = u.cache_creation_tokens ?? 0;
  const fresh = Math.max(0, u.input_tokens - cached - created);
  const micro = fresh * p.input + cached * p.cached_input + created * p.cache_write + u.output_tokens * p.output;
  // Twelve decimals: enough for a single token of the cheapest model, none of the float noise.
  return Math.round((micro / 1e6) * 1e12) / 1e12;
}

/**
 * The cost of one logged LLM call, as every writer prices it: at the model the provider says
 * answered (often a dated snapshot), else at the model asked for; null when the usage is
 * unknown or neither model has a price.
 *
 * @example
 * callCost("gpt-4o-mini", "gpt-4o-mini-2024-07-18", usage); // priced at the snapshot's price when listed
 */
export function callCost(asked: string, answered: string | undefined, usage: unknown): number | null {
  if (usage === undefined || usage === null) return null;
  return (answered === undefined ? null : estimateCost(answered, usage)) ?? estimateCost(asked, usage);
}

// ---- overrides from .scryptorum, read once ---------------------------------------------

interface Overrides {
  prices: Map<string, PriceOverride>;
  source: string;
  /** Lookups already made against these prices. */
  found: Map<string, ModelPrice | undefined>;
}

const FIELDS = ["input", "cached_input", "cache_write", "output"] as const;
let loaded: Overrides | undefined;

function loadOverrides(): Overrides {
  if (loaded) return loaded;
  loaded = { prices: new Map(), source: ".scryptorum", found: new Map() };
  let project: Project;
  try {
    project = Project.find();
  } catch {
    return loaded; // outside a project: the shipped table alone
  }
  const raw = project.anchor?.prices;
  if (raw === undefined) return loaded;
  const anchorFile = `${project.anchorDir}/.scryptorum`;
  loaded = { prices: parseOverrides(raw, anchorFile), source: anchorFile, found: new Map() };
  return loaded;
}

/**
 * Checks a `"prices"` object; a bad entry is reported once on stderr and left out.
 * @internal exported for tests
 */
export function parseOverrides(raw: unknown, where: string): Map<string, PriceOverride> {
  const out = new Map<string, PriceOverride>();
  const warn = (msg: string) => process.stderr.write(`scryptorum: ${where}: ${msg}; that price is ignored\n`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    warn(`"prices" must be an object of model ids`);
    return out;
  }
  for (const [model, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      warn(`"prices.${model}" must be an object like {"input": 0.15, "output": 0.6}`);
      continue;
    }
    const entry: PriceOverride = {};
    let ok = true;
    for (const field of FIELDS) {
      const v = (value as Record<string, unknown>)[field];
      if (v === undefined) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        warn(`"prices.${model}.${field}" must be a number of USD per million tokens`);
        ok = false;
        break;
      }
      entry[field] = v;
    }
    if (!ok) continue;
    const known = Object.hasOwn(priceTable.models, model);
    if (!known && (entry.input === undefined || entry.output === undefined)) {
      warn(`"prices.${model}" needs "input" and "output" (the model is not in the shipped table)`);
      continue;
    }
    out.set(model, entry);
  }
  return out;
}

/**
 * Replaces the overrides (a test, or a program that keeps prices elsewhere); `undefined`
 * makes the next lookup read `.scryptorum` again.
 *
 * @example
 * setPriceOverrides({ "my-finetune": { input: 0.3, output: 1.2 } });
 */
export function setPriceOverrides(prices: Record<string, PriceOverride> | undefined, source = "setPriceOverrides()"): void {
  loaded = prices === undefined ? undefined : { prices: parseOverrides(prices, source), source, found: new Map() };
}
