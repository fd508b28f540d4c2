import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { keepDataset } from "../../src/snapshot/dataset";
import { buildFixture, cli, cliJson, type Fixture } from "./results-fixture";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

describe("scryptorum diff", () => {
  test("shows a changed config value and a changed code file between two milestones", async () => {
    const r = await cli(f.dir, "diff", "qa", "v1", "v2");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("v1 → v2: 4 files changed (4 modified, 0 added, 0 removed)");
    expect(r.stdout).toMatch(/^ {2}temperature {2}0\.2 → 0\.7$/m);
    expect(r.stdout).toContain(["--- a/v1/config/model.json", "+++ b/v2/config/model.json", "@@ -1,4 +1,4 @@", " {", '   "model": "gpt-4o",', '-  "temperature": 0.2', '+  "temperature": 0.7', " }"].join("\n"));
    expect(r.stdout).toContain(["--- a/v1/prompts/answer.txt", "+++ b/v2/prompts/answer.txt", "@@ -1 +1 @@", "-Answer briefly.", "+Answer in one word."].join("\n"));
    expect(r.stdout).toContain(["--- a/v1/src/app.ts", "+++ b/v2/src/app.ts", "@@ -1,2 +1,2 @@", " export const model = 'gpt-4o';", "-export const retries = 2;", "+export const retries = 3;"].join("\n"));
  });

  test("--json lists config keys and files", async () => {
    const { code, json } = await cliJson(f.dir, "diff", "qa", "v1", "v2");
    expect(code).toBe(0);
    expect(Object.keys(json)).toEqual(["a", "b", "config", "files", "prompt_versions", "notes", "counts"]);
    expect(json.config).toEqual([{ key: "temperature", status: "changed", a: 0.2, b: 0.7 }]);
    expect(json.files.map((x: any) => [x.section, x.path, x.status])).toEqual([
      ["run_config", "run.json#config", "modified"],
      ["config", "config/model.json", "modified"],
      ["prompts", "prompts/answer.txt", "modified"],
      ["code", "src/app.ts", "modified"],
    ]);
    expect(json.files[3].diff).toContain("+export const retries = 3;");
    expect(json.notes).toEqual([]);
  });

  test("a trial is compared by its run.json config, with a note for the rest", async () => {
    const r = await cli(f.dir, "diff", "qa", "trial_run", "v1");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}model {2}gpt-4o-mini → gpt-4o$/m);
    expect(r.stdout).toContain("note: code: only milestones keep a snapshot (trial_run has none)");
  });

  test("the milestones' dataset files (data/): changed ones diffed, a large one compared by sha256 only, an added one listed", async () => {
    const g = buildFixture();
    try {
      const exp = join(g.root, "experiments", "qa");
      const keep = (id: string, name: string, text: string) => {
        writeFileSync(join(exp, "data", name), text);
        keepDataset(join(exp, "runs", id), join(exp, "data", name));
      };
      keep("v1", "qa.jsonl", '{"input":"a"}\n');
      keep("v1", "big.jsonl", "x".repeat(1_500_000) + "\n");
      keep("v2", "qa.jsonl", '{"input":"b"}\n');
      keep("v2", "big.jsonl", "y".repeat(1_500_000) + "\n");
      keep("v2", "extra.csv", "input,expected\n1,2\n");
      const { json } = await cliJson(g.dir, "diff", "qa", "v1", "v2");
      const data = json.files.filter((x: any) => x.section === "data");
      expect(data.map((x: any) => [x.path, x.status, x.diff === null])).toEqual([
        ["data/big.jsonl", "modified", true],
        ["data/extra.csv", "added", false],
        ["data/qa.jsonl", "modified", false],
      ]);
      expect(data[0].note).toBe("too large to diff (1500001 → 1500001 bytes); the sha256 differ");
      expect(data[2].diff).toContain(['--- a/v1/data/qa.jsonl', '+++ b/v2/data/qa.jsonl', '@@ -1 +1 @@', '-{"input":"a"}', '+{"input":"b"}'].join("\n"));
      const r = await cli(g.dir, "diff", "qa", "v1", "v2");
      expect(r.stdout).toContain("data/big.jsonl modified: too large to diff (1500001 → 1500001 bytes); the sha256 differ");
      expect(r.stdout).toContain("+input,expected");
    } finally {
      g.cleanup();
    }
  });

  test("the same run twice: nothing changed", async () => {
    const r = await cli(f.dir, "diff", "qa", "v1", "v1");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("v1 → v1: nothing changed");
  });
});
