import { expect, test } from "bun:test";
import { parseCsv } from "../../../src/eval/csv";

test.each([
  ['input,expected\n"a, ""b""",2\r\nc,3\n', [{ input: 'a, "b"', expected: "2" }, { input: "c", expected: "3" }]],
  ["input\n\"two\nlines\"\n", [{ input: "two\nlines" }]],
  ["\uFEFFid,input\nq1,hi\n", [{ id: "q1", input: "hi" }]], // a byte order mark (Excel) is not part of the header
])("parseCsv(%j)", (text, rows) => {
  expect(parseCsv(text)).toEqual(rows);
});
