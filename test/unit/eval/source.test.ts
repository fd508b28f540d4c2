import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { tempDir } from "../../helpers/project";
import { CsvReader, parseCsv } from "../../../src/eval/csv";
import { parseDataset, toCase } from "../../../src/eval/dataset";
import { caseHashes } from "../../../src/eval/fingerprint";
import { fileHash, lines, readCases, scanDataset } from "../../../src/eval/source";
import { IdSet, idHash } from "../../../src/eval/idset";

test("CsvReader: the same records whatever the pieces the text comes in", () => {
  const text = 'id,input,expected\r\nq1,"a, ""b""",2\r\nq2,"two\nlines",""""\n\nq3,c,\r\n';
  const whole = parseCsv(text);
  expect(whole).toEqual([
    { id: "q1", input: 'a, "b"', expected: "2" },
    { id: "q2", input: "two\nlines", expected: '"' },
    { id: "q3", input: "c", expected: "" },
  ]);
  for (let cut = 0; cut <= text.length; cut++) {
    for (const size of [1, 2, 3]) {
      const rows: Record<string, string>[] = [];
      const r = new CsvReader((row) => rows.push(row));
      r.push(text.slice(0, cut));
      for (let i = cut; i < text.length; i += size) r.push(text.slice(i, i + size));
      r.end();
      expect(rows).toEqual(whole);
    }
  }
});

test("lines: split on \\n across 1 MiB chunks (a line longer than a chunk, multi-byte characters), with byte offsets", () => {
  const dir = tempDir();
  const file = join(dir, "l.jsonl");
  const long = "é".repeat(700_000); // 1.4 MB of UTF-8
  const text = `a\n${long}\n\nb€\nlast`;
  writeFileSync(file, text);
  const got = [...lines(file)];
  expect(got.map(([t]) => t)).toEqual(["a", long, "", "b€", "last"]);
  expect(got.map(([, n]) => n)).toEqual([1, 2, 3, 4, 5]);
  const bytes = Buffer.from(text);
  for (const [t, , offset] of got) expect(bytes.subarray(offset, offset + Buffer.byteLength(t)).toString()).toBe(t);
  // Only the first `limit` bytes.
  expect([...lines(file, undefined, 2)].map(([t]) => t)).toEqual(["a"]);
});

test("scanDataset and readCases: the cases parseDataset gives, one at a time; the file's sha256; errors name the line", () => {
  const dir = tempDir();
  const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify(i % 3 ? { id: `c${i}`, input: { n: i }, expected: i * 2 } : { input: `no id ${i}`, metadata: { k: i } }));
  const text = `${rows.join("\n")}\n\n`;
  for (const [name, body] of [["d.jsonl", text], ["d.csv", "id,input,expected,topic\nq1,hi,there,greet\nq2,\"x,y\",,other\n"]] as const) {
    const file = join(dir, name);
    writeFileSync(file, body);
    const want = parseDataset(body, file);
    const seen: string[] = [];
    const scan = scanDataset(file, "d", toCase, (id) => seen.push(id));
    expect(seen).toEqual(want.map((c) => c.id));
    expect(scan.count).toBe(want.length);
    for (const c of want) expect(scan.ids.has(c.id)).toBe(true);
    expect(scan.ids.has("not-a-case")).toBe(false);
    expect(scan.hash).toBe(createHash("sha256").update(body).digest("hex"));
    expect(fileHash(file)).toBe(scan.hash);
    expect(JSON.parse(scan.caseHashesJson)).toEqual(caseHashes(Object.assign(want, { name: "d", hash: "" })));
    expect([...readCases(file, scan, toCase)]).toEqual(want);
  }
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, '{"input":1}\n{nope\n');
  expect(() => scanDataset(bad, "bad", toCase)).toThrow(`${bad} line 2 is not valid JSON: fix or remove it`);
  writeFileSync(bad, '{"id":"a","input":1}\n{"id":"a","input":2}\n');
  expect(() => scanDataset(bad, "bad", toCase)).toThrow('dataset "bad": two cases have the id "a": give each case its own id');
  // The file changed between the two passes: a case more, or another case.
  writeFileSync(bad, '{"id":"a","input":1}\n');
  const scan = scanDataset(bad, "bad", toCase);
  writeFileSync(bad, '{"id":"a","input":1}\n{"id":"b","input":1}\n');
  expect(() => [...readCases(bad, scan, toCase)]).toThrow("changed while the evaluation read it");
  writeFileSync(bad, '{"id":"b","input":1}\n');
  expect(() => [...readCases(bad, scan, toCase)]).toThrow("changed while the evaluation read it");
});

test("IdSet: membership and ids seen twice, 8 bytes a case", () => {
  const s = new IdSet();
  for (let i = 0; i < 5000; i++) s.add(`case-${i}`);
  s.add("case-17");
  expect(s.seal()).toEqual([idHash("case-17")]);
  expect(s.size).toBe(5001);
  expect(s.has("case-4999")).toBe(true);
  expect(s.has("case-5000")).toBe(false);
  expect(new Set(Array.from({ length: 5000 }, (_, i) => idHash(`case-${i}`))).size).toBe(5000);
});
