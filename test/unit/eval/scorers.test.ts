import { expect, test } from "bun:test";
import { exactMatch, includes, jsonValid, numericCloseness, regex } from "../../../src/eval/scorers";

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
