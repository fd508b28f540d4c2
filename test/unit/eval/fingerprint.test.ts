import { expect, test } from "bun:test";
import { dataset } from "../../../src/eval/dataset";
import { caseDelta, caseHashes, describeDelta, fingerprint, fingerprintChanges } from "../../../src/eval/fingerprint";

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `c${i + from}`, input: i + from }));

test("caseDelta counts added, removed and edited cases", () => {
  expect(caseDelta({ a: "1", b: "2" }, { b: "3", c: "4" })).toEqual({ added: 1, removed: 1, edited: 1 });
  expect(describeDelta({ added: 3, removed: 1, edited: 0 })).toBe("+3 -1 cases");
});

test("fingerprintChanges names what changed, nothing when nothing did", () => {
  const exact = () => 1;
  const a = dataset(rows(10));
  const b = dataset(rows(12, 1));
  const fa = fingerprint(a, { exact }, undefined);
  expect(fingerprintChanges(fa, fingerprint(dataset(rows(10)), { exact }, undefined))).toEqual([]);
  const fb = fingerprint(b, { exact: () => 0, judge: exact }, undefined);
  expect(fingerprintChanges(fa, fb, caseHashes(a), caseHashes(b))).toEqual(['dataset "inline" changed (+3 -1 cases)', "scorer exact changed", "scorer judge added"]);
  expect(fingerprintChanges({ ...fa, prompts: { "ask.md": "1" } }, { ...fa, prompts: { "ask.md": "2", "new.md": "3" } })).toEqual(["prompt ask.md changed", "prompt new.md added"]);
});
