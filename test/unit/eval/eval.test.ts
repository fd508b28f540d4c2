import { describe, expect, test } from "bun:test";
import { parseCsv } from "../../../src/eval/csv";
import { parseDataset } from "../../../src/eval/dataset";
import { makePrompt } from "../../../src/eval/prompt";
import { exactMatch, includes, jsonValid, numericCloseness, regex } from "../../../src/eval/scorers";
import { aggregate } from "../../../src/eval/stats";
import { evaluate } from "../../../src/eval/evaluate";

describe("aggregate", () => {
  test("pass/fail values get Wilson's interval", () => {
    const a = aggregate([1, 1, 0, 1]);
    expect(a.mean).toBe(0.75);
    expect(a.n).toBe(4);
    expect(a.ci_low).toBeCloseTo(0.3006, 4);
    expect(a.ci_high).toBeCloseTo(0.9544, 4);
    expect(aggregate([0, 0, 0]).ci_low).toBe(0);
    expect(aggregate([0, 0, 0]).ci_high).toBeGreaterThan(0.4);
  });
  test("numeric values get mean ± 1.96 stderr", () => {
    const a = aggregate([0.2, 0.4, 0.6]);
    expect(a.mean).toBeCloseTo(0.4, 12);
    expect(a.stderr).toBeCloseTo(0.11547, 5);
    expect(a.ci_low).toBeCloseTo(0.4 - 1.959964 * 0.11547, 4);
  });
});

test.each([
  ['input,expected\n"a, ""b""",2\r\nc,3\n', [{ input: 'a, "b"', expected: "2" }, { input: "c", expected: "3" }]],
  ["input\n\"two\nlines\"\n", [{ input: "two\nlines" }]],
])("parseCsv(%j)", (text, rows) => {
  expect(parseCsv(text)).toEqual(rows);
});

test("parseDataset: ids given or hashed (stable), metadata from extra CSV columns", () => {
  const a = parseDataset('{"input":"2+2","expected":"4"}\n{"id":7,"input":"x"}\n', "d.jsonl");
  const b = parseDataset('{"input":"2+2","expected":"4"}\n', "d.jsonl");
  expect(a[0]!.id).toBe(b[0]!.id);
  expect(a[1]!.id).toBe("7");
  expect(parseDataset("id,input,topic\nq1,hi,greet\n", "d.csv")).toEqual([{ id: "q1", input: "hi", metadata: { topic: "greet" } }]);
  expect(() => parseDataset("question\nhi\n", "d.csv")).toThrow(/needs an "input" column/);
  expect(() => parseDataset("{nope\n", "d.jsonl")).toThrow(/d.jsonl line 1 is not valid JSON/);
});

test("prompts: render, version, missing variables named", () => {
  const p = makePrompt("greet", "Hello {{ name }} from {{user.city}}");
  expect(p.render({ name: "Ada", user: { city: "Paris" } })).toBe("Hello Ada from Paris");
  expect(p.variables).toEqual(["name", "user.city"]);
  expect(p.version).toMatch(/^[0-9a-f]{12}$/);
  expect(makePrompt("greet", "Hello {{name}}!").version).not.toBe(p.version);
  expect(() => p.render({ name: "Ada" })).toThrow('prompt "greet" needs "user.city"');
});

test.each([
  [exactMatch(), "4 ", "4", true],
  [exactMatch({ ignoreCase: true }), "Paris", "paris", true],
  [includes(), "it is 4.", "4", true],
  [regex(/^\d+$/), "12a", undefined, false],
  [numericCloseness({ tolerance: 0.01 }), "3.141", 3.14, true],
])("built-in scorer %#", async (scorer, output, expected, want) => {
  const v = await scorer({ input: null, output, expected, metadata: undefined });
  expect(typeof v === "boolean" ? v : (v as { score: number }).score === 1).toBe(want as boolean);
});

test("jsonValid gives a reason when the output does not parse", () => {
  expect(jsonValid()({ input: null, output: "{", expected: undefined, metadata: undefined })).toMatchObject({ score: 0 });
});

test("evaluate outside a run: every case once, errors recorded, retries", async () => {
  let attempts = 0;
  const { results, summary } = await evaluate({
    data: [{ id: "a", input: 1, expected: 2 }, { id: "b", input: 2, expected: 4 }, { id: "c", input: -1 }],
    task: (x: number) => {
      if (x === 2 && attempts++ === 0) throw new Error("flaky");
      if (x < 0) throw new Error("negative");
      return x * 2;
    },
    scores: { right: ({ output, expected }) => output === expected },
    retries: 1,
    concurrency: 2,
  });
  expect(results.map((r) => r.case_id).sort()).toEqual(["a", "b", "c"]);
  expect(results.find((r) => r.case_id === "b")!.scores.right).toBe(1);
  expect(results.find((r) => r.case_id === "c")!.error).toEqual({ name: "Error", message: "negative" });
  expect(summary.errors).toBe(1);
  expect(summary.scores.right!.n).toBe(2);
  expect(summary.scores.right!.mean).toBe(1);
});
