import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFixture, cli, cliJson, type Fixture } from "./results-fixture";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

describe("scryptorum export", () => {
  test("csv: a header and one quoted row per run", async () => {
    const r = await cli(f.dir, "export", "qa", "--format", "csv", "--runs", "v1,v2");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\r\n");
    expect(lines[0]).toBe("run_id,run_type,status,started_at,finished_at,duration_seconds,tags,note,git_commit,git_dirty,llm_calls,tokens,cost_usd,loss,accuracy,f1,correct");
    expect(lines[1]).toMatch(/^v1,milestone,finished,[^,]+,[^,]+,[\d.]+,baseline,,[0-9a-f]{40},false,4,440,0\.04,0\.25,0\.75,0\.7,1$/);
    expect(lines[2]).toMatch(/^v2,.*,candidate,shorter prompt,[0-9a-f]{40},true,4,440,0\.04,0\.2,0\.75,0\.8,1$/);
    expect(lines[3]).toBe("");
  });

  test("json: every run by default, metrics nested", async () => {
    const { code, json } = await cliJson(f.dir, "export", "qa");
    expect(code).toBe(0);
    expect(json.map((r: any) => r.run_id)).toEqual(["trial_run", "v1", "v2"]);
    expect(Object.keys(json[1])).toEqual(["run_id", "run_type", "status", "started_at", "finished_at", "duration_seconds", "tags", "note", "git_commit", "git_dirty", "llm_calls", "tokens", "cost_usd", "metrics"]);
    expect(json[1].metrics).toEqual({ loss: 0.25, accuracy: 0.75, f1: 0.7, correct: 1 });
  });

  test("md to a file (format from the extension)", async () => {
    const r = await cli(f.dir, "export", "qa", "--runs", "v1", "--runs", "v2", "-o", "out.md");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('exported 2 runs of "qa" as md to out.md');
    const md = readFileSync(join(f.dir, "out.md"), "utf8").split("\n");
    expect(md[0]).toStartWith("| run_id | run_type | status |");
    expect(md[1]).toContain("| ---: |");
    expect(md[3]).toContain("| candidate | shorter prompt |");
  });

  test("no format, or an unknown one, is exit 2", async () => {
    expect((await cli(f.dir, "export", "qa")).stderr).toContain("add --format csv, --format json or --format md");
    const r = await cli(f.dir, "export", "qa", "--format", "xlsx");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format xlsx is not a format: use csv, json or md");
  });
});
