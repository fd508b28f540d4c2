import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildFixture, cli, cliJson, type Fixture } from "./results-fixture";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

const ids = async (args: string[]) => {
  const { code, json } = await cliJson(f.dir, "list-runs", "qa", ...args);
  expect(code).toBe(0);
  return json.map((r: any) => r.run_id);
};

describe("list-runs filters", () => {
  test.each([
    [[], ["trial_run", "v1", "v2"]],
    [["--type", "milestone"], ["v1", "v2"]],
    [["--status", "finished", "--tag", "candidate"], ["v2"]],
    [["--tag", "baseline", "--tag", "candidate"], []],
    [["--since", "1h"], ["trial_run", "v1", "v2"]],
    [["--since", "2000-01-01", "--type", "trial"], ["trial_run"]],
    [["--sort", "f1"], ["v2", "v1", "trial_run"]],
    [["--sort", "f1", "--asc"], ["v1", "v2", "trial_run"]],
    [["--sort", "accuracy", "--limit", "1"], ["v1"]],
    [["--limit", "2"], ["v1", "v2"]],
  ])("%j", async (args, expected) => {
    expect(await ids(args)).toEqual(expected);
  });

  test("the table lists only the matching runs; none matching says so", async () => {
    const r = await cli(f.dir, "list-runs", "qa", "--type", "milestone");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v1\s+milestone\s+finished/m);
    expect(r.stdout).not.toContain("trial_run");
    const none = await cli(f.dir, "list-runs", "qa", "--status", "crashed");
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("no runs match the filters");
  });

  test("a bad filter value is exit 2", async () => {
    const r = await cli(f.dir, "list-runs", "qa", "--since", "last week");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--since last week is not a date or an age");
  });
});
