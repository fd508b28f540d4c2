import { expect, test } from "bun:test";
import { parseCsv } from "../../../src/eval/csv";

test.each([
  ['input,expected\n"a, ""b""",2\r\nc,3\n', [{ input: 'a, "b"', expected: "2" }, { input: "c", expected: "3" }]],
  ["input\n\"two\nlines\"\n", [{ input: "two\nlines" }]],
])("parseCsv(%j)", (text, rows) => {
  expect(parseCsv(text)).toEqual(rows);
});
