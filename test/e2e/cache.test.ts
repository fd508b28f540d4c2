/**
 * `scryptorum run --cache` through the binary: a user project calling a (fake) OpenAI
 * endpoint through wrapOpenAI; the second identical milestone makes no HTTP request.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { bin, readJson, tempDir, writeFiles, REPO } from "../helpers/cli";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";

let server: FakeProviders;
beforeAll(() => {
  server = startFakeProviders();
});
afterAll(() => server.stop());

describe("run --cache (binary)", () => {
  test("a second identical milestone is answered from cache/: no request, cache_hit and zero cost", async () => {
    const dir = tempDir("scryptorum-cache-");
    // The user's project has openai installed (linked from ours) but not scryptorum.
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(REPO, "node_modules/openai"), join(dir, "node_modules/openai"));
    writeFiles(dir, {
      "package.json": JSON.stringify({ name: "cache-app", type: "module" }),
      "eval.ts": `import OpenAI from "openai";
import { experiment, wrapOpenAI } from "scryptorum";
const client = wrapOpenAI(new OpenAI({ baseURL: process.env.FAKE_URL + "/v1", apiKey: "k", maxRetries: 0 }));
export default experiment("cached")(async () => {
  const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  console.log(r.choices[0].message.content);
});
`,
    });
    expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
    const env = { FAKE_URL: server.url };
    const before = server.total();
    const first = await bin(["run", "cached", "-m", "eval.ts", "--milestone", "--run-id", "a", "--cache"], { cwd: dir, env });
    expect(first.code).toBe(0);
    const afterFirst = server.total();
    expect(afterFirst).toBe(before + 1);
    const second = await bin(["run", "cached", "-m", "eval.ts", "--milestone", "--run-id", "b", "--cache"], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(first.stdout.split("\n")[0]!);
    expect(server.total()).toBe(afterFirst);
    const runs = join(dir, "experiments/cache-app/experiments/cached/runs");
    const call = (id: string) => readFileSync(join(runs, id, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.event_type === "llm_call");
    expect(call("a").cache_hit).not.toBe(true);
    expect(call("a").cost_usd).toBeGreaterThan(0);
    expect(call("b")).toMatchObject({ cache_hit: true, cost_usd: 0 });
    expect(typeof call("b").cache_key).toBe("string");
    expect(readJson(join(runs, "b", "environment.json")).prices_version).toBeTruthy();
    // Without --cache the request goes out again.
    const third = await bin(["run", "cached", "-m", "eval.ts"], { cwd: dir, env });
    expect(third.code).toBe(0);
    expect(server.total()).toBe(afterFirst + 1);

    // scryptorum cache stats|clear
    const stats = await bin(["cache", "stats", "--json"], { cwd: dir });
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ entries: 1 });
    const none = await bin(["cache"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("error: `scryptorum cache` needs a subcommand: stats or clear (run `scryptorum cache --help`)\n");
    expect((await bin(["cache", "clear"], { cwd: dir })).code).toBe(0);
    expect(JSON.parse((await bin(["cache", "stats", "--json"], { cwd: dir })).stdout)).toMatchObject({ entries: 0 });
  });
});
