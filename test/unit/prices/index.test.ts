/** The price table's rows and the cost mechanics: lookups, the formula, overrides from .scryptorum. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { estimateCost, findPrice, modelCandidates, parseOverrides, priceTable, setPriceOverrides } from "../../../src/prices";
import { describeEnvironment } from "../../../src/snapshot/environment";
import { tempProject } from "../../helpers/project";

afterEach(() => setPriceOverrides(undefined));

const PAGES: Record<string, string> = {
  openai: "https://developers.openai.com/",
  anthropic: "https://platform.claude.com/",
  google: "https://ai.google.dev/",
};

describe("the shipped table", () => {
  test("has a version and current models of each provider", () => {
    expect(priceTable.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const providers = new Set(Object.values(priceTable.models).map((r) => r.provider));
    expect([...providers].sort()).toEqual(["anthropic", "google", "openai"]);
  });

  test.each(Object.entries(priceTable.models))("%s carries its date, its source and sane prices", (_model, row) => {
    expect(row.as_of).toMatch(/^20\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
    expect(row.as_of <= priceTable.version).toBe(true);
    expect(row.source.startsWith(PAGES[row.provider]!)).toBe(true);
    for (const v of [row.input, row.output, row.cached_input ?? 0, row.cache_write ?? 0]) {
      expect(Number.isFinite(v) && v >= 0 && v < 1000).toBe(true);
    }
    if (row.cached_input !== undefined) expect(row.cached_input).toBeLessThanOrEqual(row.input);
    if (row.cache_write !== undefined) expect(row.cache_write).toBeGreaterThanOrEqual(row.input);
  });

  test("is read-only", () => {
    expect(Object.isFrozen(priceTable.models)).toBe(true);
    expect(Object.isFrozen(priceTable.models["gpt-4o"])).toBe(true);
  });

  test("its version lands in environment.json as prices_version", () => {
    expect(describeEnvironment({ version: "0.0.0", packageDirs: [] }).prices_version).toBe(priceTable.version);
  });
});

describe("model lookup", () => {
  test.each([
    ["gpt-4o", "gpt-4o"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["claude-3-5-haiku-latest", "claude-3-5-haiku"],
    ["openai/gpt-4.1-mini", "gpt-4.1-mini"],
    ["models/gemini-2.5-flash", "gemini-2.5-flash"],
  ])("%s is priced as %s", (model, row) => {
    expect(findPrice(model)?.model).toBe(row);
  });

  test.each([["gpt-4o-audio-preview"], ["ft:gpt-4o-mini:org::abc"], ["gpt-4"], ["my-local-llama"], [""]])("%p has no price", (model) => {
    expect(findPrice(model)).toBeUndefined();
    expect(estimateCost(model, { prompt_tokens: 10, completion_tokens: 10 })).toBeNull();
  });

  test("an exact id wins over its date-stripped form", () => {
    setPriceOverrides({ "gpt-4o-2024-05-13": { input: 5, output: 15 } });
    expect(findPrice("gpt-4o-2024-05-13")).toMatchObject({ model: "gpt-4o-2024-05-13", input: 5 });
    expect(findPrice("gpt-4o-2024-08-06")).toMatchObject({ model: "gpt-4o", input: 2.5 });
  });

  test("candidates, in order", () => {
    expect(modelCandidates("openai/gpt-4o-2024-08-06")).toEqual(["openai/gpt-4o-2024-08-06", "openai/gpt-4o", "gpt-4o-2024-08-06", "gpt-4o"]);
  });
});

describe("estimateCost", () => {
  test.each([
    // [name, model, usage, expected USD]
    ["OpenAI: cached tokens at the cached price", "gpt-4o-mini", { prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1000 } }, (200 * 0.15 + 1000 * 0.075 + 300 * 0.6) / 1e6],
    ["OpenAI: reasoning tokens are inside the output count, not added", "o4-mini", { prompt_tokens: 100, completion_tokens: 500, completion_tokens_details: { reasoning_tokens: 400 } }, (100 * 1.1 + 500 * 4.4) / 1e6],
    ["OpenAI responses API", "gpt-5-mini", { input_tokens: 2000, output_tokens: 500, input_tokens_details: { cached_tokens: 1500 } }, (500 * 0.25 + 1500 * 0.025 + 500 * 2) / 1e6],
    ["Anthropic: reads and writes at their own prices", "claude-sonnet-4-6", { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 }, (100 * 3 + 1000 * 0.3 + 200 * 3.75 + 50 * 15) / 1e6],
    ["already normalised usage", "claude-haiku-4-5", { input_tokens: 1300, output_tokens: 50, total_tokens: 1350, cached_tokens: 1000, cache_creation_tokens: 200 }, (100 * 1 + 1000 * 0.1 + 200 * 1.25 + 50 * 5) / 1e6],
    ["Google usageMetadata", "gemini-2.5-flash", { usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100, cachedContentTokenCount: 400 } }, (600 * 0.3 + 400 * 0.03 + 100 * 2.5) / 1e6],
    ["embeddings: input only", "text-embedding-3-small", { prompt_tokens: 1_000_000, total_tokens: 1_000_000 }, 0.02],
    ["a row without cached_input bills cached tokens at the input price", "gpt-5.5-pro", { prompt_tokens: 100, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } }, (100 * 30 + 10 * 180) / 1e6],
    ["no tokens, no cost", "gpt-4o", { prompt_tokens: 0, completion_tokens: 0 }, 0],
  ])("%s", (_name, model, usage, expected) => {
    expect(estimateCost(model, usage)).toBeCloseTo(expected, 12);
  });

  test("no float noise in the result", () => {
    expect(estimateCost("gpt-4o-mini", { prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1000 } })).toBe(0.000285);
  });

  test.each([["no usage", undefined], ["an unrecognised usage", { tokens: 3 }], ["no model", null]])("%s gives null", (_n, usage) => {
    expect(estimateCost(usage === null ? undefined : "gpt-4o", usage ?? undefined)).toBeNull();
  });
});

describe("overrides in .scryptorum", () => {
  const withAnchor = (prices: unknown) => {
    const { dir } = tempProject();
    const anchor = join(dir, ".scryptorum");
    const config = JSON.parse(readFileSync(anchor, "utf8"));
    writeFileSync(anchor, JSON.stringify({ ...config, prices }));
    return dir;
  };
  const inDir = <T>(dir: string, fn: () => T): T => {
    const cwd = process.cwd();
    const env = process.env.SCRYPTORUM_PROJECT_ROOT;
    delete process.env.SCRYPTORUM_PROJECT_ROOT;
    process.chdir(dir);
    setPriceOverrides(undefined);
    try {
      return fn();
    } finally {
      process.chdir(cwd);
      if (env !== undefined) process.env.SCRYPTORUM_PROJECT_ROOT = env;
    }
  };

  test("are read at first use: a new model, and a known one changed field by field", () => {
    const dir = withAnchor({ "my-finetune": { input: 0.3, cached_input: 0.15, output: 1.2 }, "gpt-4o": { input: 2 } });
    inDir(dir, () => {
      expect(estimateCost("my-finetune", { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 })).toBeCloseTo(1.5, 12);
      expect(findPrice("my-finetune")).toMatchObject({ model: "my-finetune", cache_write: 0.3, source: join(dir, ".scryptorum") });
      expect(findPrice("gpt-4o-2024-08-06")).toMatchObject({ model: "gpt-4o", input: 2, cached_input: 1.25, output: 10 });
      expect(findPrice("gpt-4o")!.as_of).toBeUndefined();
    });
  });

  test("are cached: a later edit of .scryptorum is not seen", () => {
    const dir = withAnchor({ "my-model": { input: 1, output: 1 } });
    inDir(dir, () => {
      expect(findPrice("my-model")?.input).toBe(1);
      writeFileSync(join(dir, ".scryptorum"), JSON.stringify({ format: 1, project: "demo", experiments_dir: "./experiments", prices: { "my-model": { input: 9, output: 9 } } }));
      expect(findPrice("my-model")?.input).toBe(1);
    });
  });

  test("outside a project: the shipped table alone, no error", () => {
    inDir("/", () => {
      expect(findPrice("gpt-4o")?.input).toBe(2.5);
    });
  });

  test("bad entries are left out", () => {
    const prices = parseOverrides(
      { ok: { input: 1, output: 2 }, "no-output": { input: 1 }, negative: { input: -1, output: 1 }, text: { input: "1", output: 1 }, list: [1], "gpt-4o": { output: 12 } },
      "test",
    );
    expect([...prices.keys()].sort()).toEqual(["gpt-4o", "ok"]);
    expect(parseOverrides([], "test").size).toBe(0);
  });
});
