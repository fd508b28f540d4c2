import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildFixture, cli, cliJson, type Fixture } from "./results-fixture";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

describe("scryptorum check", () => {
  test("exit 0 when every rule holds (latest run by default)", async () => {
    const r = await cli(f.dir, "check", "qa", "--metric", "f1>=0.8", "--metric=cost_usd<=2", "--metric", "llm_calls==4");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(["check v2", "PASS  f1>=0.8: f1 is 0.8", "PASS  cost_usd<=2: cost_usd is 0.04", "PASS  llm_calls==4: llm_calls is 4", "3 rules passed", ""].join("\n"));
  });

  test("exit 1 on a threshold, with the numbers", async () => {
    const r = await cli(f.dir, "check", "qa", "v1", "--metric", "f1>=0.75", "--metric", "tokens<500");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL  f1>=0.75: f1 is 0.7 (needs >= 0.75)");
    expect(r.stdout).toContain("PASS  tokens<500: tokens is 440");
    expect(r.stdout).toContain("1 of 2 rules failed");
    expect(r.stderr.trim()).toBe("error: 1 of 2 rules failed for run v1");
  });

  test("exit 1 on a regression against a baseline, absolute or relative", async () => {
    const abs = await cli(f.dir, "check", "qa", "v1", "--baseline", "v2", "--max-regression", "f1=0.05");
    expect(abs.code).toBe(1);
    expect(abs.stdout).toContain("FAIL  f1 regressed by 0.1 (0.8 in v2 -> 0.7); over the allowed 0.05");
    const rel = await cli(f.dir, "check", "qa", "v1", "--baseline", "v2", "--max-regression", "f1=15%");
    expect(rel.code).toBe(0);
    expect(rel.stdout).toContain("PASS  f1 regressed by 12.5% (0.8 in v2 -> 0.7); within the allowed 15%");
    // loss is lower-is-better: v1's loss is higher than v2's, so a regression from v2.
    const loss = await cli(f.dir, "check", "qa", "v1", "--baseline", "v2", "--max-regression", "loss=0.01");
    expect(loss.code).toBe(1);
    expect(loss.stdout).toContain("loss regressed by 0.05");
    // --lower-is-better turns f1 around: v1 (0.7) is then better than v2 (0.8).
    expect((await cli(f.dir, "check", "qa", "v1", "--baseline", "v2", "--max-regression", "f1=0", "--lower-is-better", "f1")).code).toBe(0);
  });

  test("a missing metric fails and says so", async () => {
    const r = await cli(f.dir, "check", "qa", "v1", "--metric", "recall>=0.5");
    expect(r.code).toBe(1);
    // Long messages wrap at 80 columns; join the continuation lines back.
    expect(r.stdout.replace(/\n {6}/g, " ")).toContain('FAIL  recall>=0.5: run v1 has no metric "recall" (its metrics: loss, accuracy, f1, correct)');
  });

  test("--json: one result per rule", async () => {
    const { code, json } = await cliJson(f.dir, "check", "qa", "v1", "--metric", "f1>=0.75", "--baseline", "v2", "--max-regression", "f1=0.2");
    expect(code).toBe(1);
    expect(json).toMatchObject({ run_id: "v1", baseline: "v2", passed: false, failed: 1 });
    expect(json.results).toEqual([
      { rule: "f1>=0.75", kind: "threshold", name: "f1", passed: false, actual: 0.7, op: ">=", expected: 0.75, baseline: null, regression: null, allowed: null, relative: false, lower_is_better: false, message: "f1>=0.75: f1 is 0.7 (needs >= 0.75)" },
      { rule: "f1 max regression 0.2", kind: "regression", name: "f1", passed: true, actual: 0.7, op: null, expected: null, baseline: 0.8, regression: 0.1, allowed: 0.2, relative: false, lower_is_better: false, message: "f1 regressed by 0.1 (0.8 in v2 -> 0.7); within the allowed 0.2" },
    ]);
  });

  test("a malformed rule is a usage error (exit 2) showing the right form", async () => {
    for (const [flag, value] of [["--metric", "accuracy=>0.8"], ["--metric", "accuracy>=high"], ["--max-regression", "accuracy~2"]]) {
      const args = flag === "--max-regression" ? ["--baseline", "v1", flag, value!] : [flag!, value!];
      const r = await cli(f.dir, "check", "qa", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${flag} "${value}" is not a`);
      expect(r.stderr).toContain(flag === "--metric" ? 'like --metric "accuracy>=0.8"' : "like --max-regression accuracy=0.02 or accuracy=2%");
    }
    expect((await cli(f.dir, "check", "qa")).code).toBe(2);
    expect((await cli(f.dir, "check", "qa", "--max-regression", "f1=1")).stderr).toContain("add --baseline <run>");
  });
});
