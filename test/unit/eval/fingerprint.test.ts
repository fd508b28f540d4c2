import { expect, test } from "bun:test";
import { dataset } from "../../../src/eval/dataset";
import { caseDelta, caseHash, caseHashes, describeDelta, fingerprint, fingerprintChanges } from "../../../src/eval/fingerprint";

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

test("caseHash is FNV-1a over JSON.stringify([input, expected ?? null, metadata ?? null]) (the hashes runs recorded), whatever the values", () => {
  const fnv = (text: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16).padStart(8, "0");
  };
  const values: unknown[] = ["", "plain", 'quote " and \\ backslash', "tab\tnew\nline\u0001", "emoji 😀 and é", "lone \ud800 half", 0, -1.5, 1e21, true, null, undefined, () => 1, [1, "a", null], { a: 1, b: { c: "d\n" } }, { toJSON: () => "x" }];
  for (const input of values) {
    for (const expected of [undefined, "4", { n: 1 }]) {
      for (const metadata of [undefined, { topic: "t\"x" }]) {
        const c = { id: "x", input, expected, metadata } as never;
        expect(caseHash(c)).toBe(fnv(JSON.stringify([input, expected ?? null, metadata ?? null])));
      }
    }
  }
});
