/** `scryptorum cache stats|clear`, in a temp project. */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { writeCacheEntry, CACHE_FORMAT } from "../../src/cache";
import { cmd } from "../helpers/cli";
import { tempProject } from "../helpers/project";

const entry = (provider: string, key: string) => ({
  format: CACHE_FORMAT, provider, api: "chat.completions", model: "gpt-4o-mini", key, created_at: "2026-01-01T00:00:00.000Z", request: {}, response: { ok: true },
});

describe("scryptorum cache", () => {
  test("stats and clear, as text and --json", async () => {
    const { dir, root } = tempProject();
    writeCacheEntry(root, entry("openai", "a"));
    const text = await cmd(["cache", "stats"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toStartWith(`1 cached response (`);
    expect(text.stdout).toContain("openai");
    const json = await cmd(["cache", "stats", "--json", "--project-root", root], { cwd: "/" });
    expect(JSON.parse(json.stdout)).toMatchObject({ dir: join(root, "cache"), entries: 1, providers: { openai: { entries: 1 } } });
    const cleared = await cmd(["cache", "clear", "--json"], { cwd: dir });
    expect(JSON.parse(cleared.stdout)).toMatchObject({ removed: 1, entries: 1 });
    expect(readdirSync(join(root, "cache"))).toEqual([]);
  });

  test("errors: no project, no or unknown subcommand (exit 2)", async () => {
    const { dir } = tempProject();
    const none = await cmd(["cache", "stats"], { cwd: "/" });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no scryptorum project found");
    expect((await cmd(["cache"], { cwd: dir })).code).toBe(2);
    expect((await cmd(["cache", "bogus"], { cwd: dir })).code).toBe(2);
  });
});
