import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { tempDir } from "../../helpers/project";
import { dataset, datasetSource, parseDataset } from "../../../src/eval/dataset";

test("dataset(file) is an array read when its cases are first used; its name, hash and source do not read it", () => {
  const dir = tempDir();
  const file = join(dir, "qa.jsonl");
  const text = '{"id":"q1","input":"2+2","expected":"4"}\n{"id":"q2","input":"3+3","expected":"6"}\n';
  writeFileSync(file, text);
  const ds = dataset(file);
  expect(Array.isArray(ds)).toBe(true);
  expect(ds.name).toBe("qa");
  expect(ds.hash).toBe(createHash("sha256").update(text).digest("hex"));
  // Untouched, it stands for its file (evaluate() streams it)…
  expect(datasetSource(ds)).toEqual({ file, name: "qa" });
  // …so a change to the file before the cases are used is what they hold.
  writeFileSync(file, `${text}{"id":"q3","input":"1+1","expected":"2"}\n`);
  expect(ds.length).toBe(3);
  expect(datasetSource(ds)).toBeUndefined();
  expect(ds.map((c) => c.id)).toEqual(["q1", "q2", "q3"]);
  expect([...ds]).toEqual(parseDataset(`${text}{"id":"q3","input":"1+1","expected":"2"}\n`, file));
  expect(JSON.parse(JSON.stringify(ds))).toHaveLength(3);
  ds.push({ id: "q4", input: "x" });
  expect(ds.at(-1)!.id).toBe("q4");
  expect(Object.keys(ds)).toEqual(["0", "1", "2", "3"]);
});

test("dataset(file): a missing file throws at once; a bad one when its cases are used", () => {
  const dir = tempDir();
  expect(() => dataset(join(dir, "nope.jsonl"))).toThrow(`no dataset file ${join(dir, "nope.jsonl")}: check the name`);
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, "{nope\n");
  const ds = dataset(bad);
  expect(() => ds.length).toThrow(`${bad} line 1 is not valid JSON: fix or remove it`);
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
