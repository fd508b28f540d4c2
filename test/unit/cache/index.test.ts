/** The response cache's pure parts and its files (the command: test/commands/cache.test.ts). */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  cacheEnabled, cacheFile, cacheKey, cacheStats, clearCache, projectRootOfRunDir, providerFolder, readCacheEntry, semanticRequest, writeCacheEntry, CACHE_FORMAT,
} from "../../../src/cache";
import { formatCacheStats, formatCleared } from "../../../src/cache/format";
import { Experiment } from "../../../src/core/experiment";
import { tempProject } from "../../helpers/project";

const entry = (provider: string, key: string, extra: Record<string, unknown> = { response: { ok: true } }) => ({
  format: CACHE_FORMAT, provider, api: "chat.completions", model: "gpt-4o-mini", key, created_at: "2026-01-01T00:00:00.000Z", request: {}, ...extra,
});

describe("cacheEnabled", () => {
  test.each([
    ["1", true], ["true", true], ["YES", true], [" on ", true],
    ["0", false], ["false", false], ["", false], [undefined, false],
  ])("SCRYPTORUM_CACHE=%p → %p", (value, expected) => {
    expect(cacheEnabled(value === undefined ? {} : { SCRYPTORUM_CACHE: value })).toBe(expected);
  });
});

describe("cacheKey", () => {
  const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 0 };
  test("the same for the same request, whatever the key order", () => {
    expect(cacheKey("openai", "chat", "gpt-4o-mini", body)).toBe(cacheKey("openai", "chat", "gpt-4o-mini", { temperature: 0, messages: body.messages, model: "gpt-4o-mini" }));
  });
  test.each([
    ["provider", () => cacheKey("anthropic", "chat", "gpt-4o-mini", body)],
    ["api", () => cacheKey("openai", "responses", "gpt-4o-mini", body)],
    ["model", () => cacheKey("openai", "chat", "gpt-4o", body)],
    ["semantic option", () => cacheKey("openai", "chat", "gpt-4o-mini", { ...body, temperature: 1 })],
  ])("differs with another %s", (_what, other) => {
    expect(other()).not.toBe(cacheKey("openai", "chat", "gpt-4o-mini", body));
  });
  test("ignores the options named as non-semantic, and undefined values", () => {
    const base = cacheKey("openai", "chat", "m", body, ["user"]);
    expect(cacheKey("openai", "chat", "m", { ...body, user: "bob", seed: undefined }, ["user"])).toBe(base);
    expect(semanticRequest({ a: 1, user: "x", b: undefined }, ["user"])).toEqual({ a: 1 });
  });
  test("is a file-name-safe string", () => {
    expect(cacheKey("openai", "chat", "m", body)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

test.each([
  ["openai", "openai"], ["openai.chat", "openai"], ["Anthropic.messages", "anthropic"], ["google.generative-ai", "google"], ["../x", "other"], ["", "other"],
])("providerFolder(%p) = %p", (provider, folder) => {
  expect(providerFolder(provider)).toBe(folder);
});

describe("cache files", () => {
  test("written under <root>/cache/<provider>/<key>.json, read back, no temp file left", () => {
    const { root } = tempProject();
    const path = writeCacheEntry(root, entry("openai.chat", "abc"));
    expect(path).toBe(join(root, "cache", "openai", "abc.json"));
    expect(path).toBe(cacheFile(root, "openai", "abc"));
    expect(readCacheEntry(root, "openai", "abc")).toEqual(entry("openai.chat", "abc"));
    expect(readdirSync(join(root, "cache", "openai"))).toEqual(["abc.json"]);
  });

  test("a missing, torn or foreign file is a miss", () => {
    const { root } = tempProject();
    expect(readCacheEntry(root, "openai", "nope")).toBeUndefined();
    mkdirSync(join(root, "cache", "openai"), { recursive: true });
    writeFileSync(join(root, "cache", "openai", "torn.json"), '{"format":1,"resp');
    expect(readCacheEntry(root, "openai", "torn")).toBeUndefined();
    writeFileSync(join(root, "cache", "openai", "future.json"), JSON.stringify({ ...entry("openai", "future"), format: 99 }));
    expect(readCacheEntry(root, "openai", "future")).toBeUndefined();
  });

  test("stats per provider, and clear", () => {
    const { root } = tempProject();
    expect(cacheStats(root)).toEqual({ dir: join(root, "cache"), entries: 0, bytes: 0, providers: {} });
    writeCacheEntry(root, entry("openai", "a"));
    writeCacheEntry(root, entry("openai", "b"));
    writeCacheEntry(root, entry("anthropic", "c", { chunks: [{ type: "message_start" }] }));
    const stats = cacheStats(root);
    expect(stats.entries).toBe(3);
    expect(stats.providers.openai!.entries).toBe(2);
    expect(stats.providers.anthropic!.entries).toBe(1);
    expect(stats.bytes).toBe(stats.providers.openai!.bytes + stats.providers.anthropic!.bytes);
    expect(clearCache(root).entries).toBe(3);
    expect(cacheStats(root).entries).toBe(0);
    expect(existsSync(join(root, "cache", "openai"))).toBe(false);
  });

  test("the project root of a run folder", () => {
    const { root } = tempProject();
    const run = new Experiment(root, "e").createRun();
    expect(projectRootOfRunDir(run.dir)).toBe(root);
    expect(projectRootOfRunDir("/tmp")).toBeUndefined();
  });
});

describe("formatting", () => {
  test("stats and clear lines", () => {
    const stats = { dir: "/p/cache", entries: 3, bytes: 2500, providers: { anthropic: { entries: 1, bytes: 500 }, openai: { entries: 2, bytes: 2000 } } };
    // Sizes in binary units, as everywhere (src/units.ts).
    expect(formatCacheStats(stats)).toEqual(["3 cached responses (2.4 KiB) in /p/cache", "  anthropic       1      500 B", "  openai          2    2.0 KiB"]);
    expect(formatCleared(stats)).toBe("removed 3 cached responses (2.4 KiB) from /p/cache");
    expect(formatCleared({ ...stats, entries: 0, providers: {} })).toBe("the cache is empty (/p/cache)");
  });
});

test("JSON files are pretty and end with a newline", () => {
  const { root } = tempProject();
  const path = writeCacheEntry(root, entry("openai", "k"));
  expect(readFileSync(path, "utf8").endsWith("}\n")).toBe(true);
});
