import { describe, expect, test } from "bun:test";
import { UserError } from "../../../src/core/errors";
import { checkReport, parseRegression, parseRule, showPercent } from "../../../src/read/check";
import { isLowerBetter } from "../../../src/read/direction";
import { fakeReport } from "./report-fake";

describe("parseRule", () => {
  test.each([
    ["accuracy>=0.8", "accuracy", ">=", 0.8],
    ["cost_usd<=2", "cost_usd", "<=", 2],
    [" loss < 0.3 ", "loss", "<", 0.3],
    ["f1>.5", "f1", ">", 0.5],
    ["llm_errors==0", "llm_errors", "==", 0],
    ["delta!=-1e-3", "delta", "!=", -0.001],
    ["eval.acc@1>=0.9", "eval.acc@1", ">=", 0.9],
  ])("%s", (text, name, op, value) => {
    expect(parseRule(text)).toEqual({ source: text, name, op: op as any, value });
  });

  test.each(["accuracy", "accuracy=0.8", "accuracy=>0.8", ">=0.8", "accuracy>=", "accuracy>=high", "a>=1>=2", "accuracy>=NaN"])("refuses %j", (text) => {
    expect(() => parseRule(text)).toThrow(UserError);
    expect(() => parseRule(text)).toThrow(`--metric "${text}" is not a rule: write NAME OP NUMBER, like --metric "accuracy>=0.8"`);
  });
});

describe("parseRegression", () => {
  test.each([
    ["accuracy=0.02", "accuracy", 0.02, false],
    ["accuracy=2%", "accuracy", 2, true],
    ["loss = 0.1", "loss", 0.1, false],
  ])("%s", (text, name, amount, relative) => {
    expect(parseRegression(text)).toEqual({ source: text, name, amount, relative });
  });
  test.each(["accuracy", "accuracy=", "accuracy=-1", "accuracy=x%", "=2", "accuracy>0.1"])("refuses %j", (text) => {
    expect(() => parseRegression(text)).toThrow(UserError);
  });
});

describe("isLowerBetter", () => {
  test.each([
    ["accuracy", undefined, false],
    ["val_loss", undefined, true],
    ["p95_latency_ms", undefined, true],
    ["cost_usd", undefined, true],
    ["error_rate", undefined, true],
    ["duration_seconds", undefined, true],
    ["tokens", undefined, true],
    ["score", "loss", true],
    ["wer", "custom", false],
  ])("%s (%s)", (name, type, lower) => {
    expect(isLowerBetter(name, type)).toBe(lower);
  });
  test("named with --lower-is-better", () => expect(isLowerBetter("wer", "custom", ["wer"])).toBe(true));
});

describe("checkReport", () => {
  const run = fakeReport("v2", { accuracy: 0.85, loss: 0.4, label: "ok" }, {
    figures: { duration_seconds: 60, llm_calls: 10, llm_errors: 0, input_tokens: 100, output_tokens: 10, tokens: 110, cost_usd: 1.5 },
  });
  const base = fakeReport("v1", { accuracy: 0.9, loss: 0.3 });
  const verdicts = (opts: Parameters<typeof checkReport>[1]) => checkReport(run, opts).results.map((r) => [r.passed, r.message]);

  test("thresholds over metrics and run figures", () => {
    expect(verdicts({ rules: ["accuracy>=0.8", "accuracy>0.9", "cost_usd<=2", "tokens==110", "llm_calls!=10"].map(parseRule) })).toEqual([
      [true, "accuracy>=0.8: accuracy is 0.85"],
      [false, "accuracy>0.9: accuracy is 0.85 (needs > 0.9)"],
      [true, "cost_usd<=2: cost_usd is 1.5"],
      [true, "tokens==110: tokens is 110"],
      [false, "llm_calls!=10: llm_calls is 10 (needs != 10)"],
    ]);
  });

  test("a missing or non-numeric metric fails", () => {
    expect(verdicts({ rules: [parseRule("recall>0"), parseRule("label>0")] })).toEqual([
      [false, 'recall>0: run v2 has no metric "recall" (its metrics: accuracy, loss, label)'],
      [false, 'label>0: label is "ok", not a number'],
    ]);
    // A run-level figure nobody reported (no call had a cost) is missing too.
    expect(checkReport(base, { rules: [parseRule("cost_usd<=1")] }).results[0]).toMatchObject({ passed: false, message: "cost_usd<=1: no LLM call of run v1 reported cost_usd" });
    const running = fakeReport("v5", {}, { status: "running", duration_seconds: null, figures: { ...base.figures, duration_seconds: null } });
    expect(checkReport(running, { rules: [parseRule("duration_seconds<60")] }).results[0]!.message).toBe("duration_seconds<60: run v5 has no duration_seconds yet (status running)");
  });

  test("regressions: drops for higher-is-better, rises for lower-is-better", () => {
    const r = checkReport(run, { baseline: base, regressions: ["accuracy=0.02", "accuracy=0.05", "accuracy=10%", "accuracy=5%", "loss=0.2", "loss=0.05"].map(parseRegression) });
    expect(r.results.map((x) => [x.passed, x.regression])).toEqual([
      [false, 0.05], [true, 0.05], [true, 5.55555555556], [false, 5.55555555556], [true, 0.1], [false, 0.1],
    ]);
    expect(r.results[0]!.message).toBe("accuracy regressed by 0.05 (0.9 in v1 -> 0.85); over the allowed 0.02");
    // A percentage reads rounded (JSON keeps the exact figure).
    expect(r.results[2]!.message).toBe("accuracy regressed by 5.56% (0.9 in v1 -> 0.85); within the allowed 10%");
    expect(r.failed).toBe(3);
    expect(r.passed).toBe(false);
  });

  test("an improvement is no regression; float noise is not one either", () => {
    const better = fakeReport("v3", { accuracy: 0.95, loss: 0.1 });
    expect(checkReport(better, { baseline: base, regressions: [parseRegression("accuracy=0"), parseRegression("loss=0")] }).passed).toBe(true);
    const close = fakeReport("v4", { accuracy: 0.88 });
    expect(checkReport(close, { baseline: base, regressions: [parseRegression("accuracy=0.02")] }).passed).toBe(true);
  });

  test("a regression limit for a metric the baseline lacks fails", () => {
    const r = checkReport(run, { baseline: base, regressions: [parseRegression("label=1")] });
    expect(r.results[0]!.message).toBe('label max regression 1: baseline v1 has no metric "label" (its metrics: accuracy, loss)');
  });

  test("--lower-is-better turns a metric around", () => {
    const r = checkReport(run, { baseline: base, regressions: [parseRegression("accuracy=0")], lowerIsBetter: ["accuracy"] });
    expect(r.passed).toBe(true);
  });
});

describe("showPercent", () => {
  test.each([
    [5.88235294118, "5.88"],
    [12.5, "12.5"],
    [0.0123456, "0.0123"],
    [250.4, "250"],
    [1000, "1000"],
    [Infinity, "Infinity"],
  ])("%p reads %p", (v, shown) => {
    expect(showPercent(v)).toBe(shown);
  });
});
