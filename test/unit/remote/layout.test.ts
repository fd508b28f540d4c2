import { expect, test } from "bun:test";
import { parseCommit, type Commit } from "../../../src/remote/layout";
import { commitText, snapshotPart } from "../../../src/remote/push";
import { parseSnapshotManifest } from "../../../src/remote/state";

const f = (sha: string, size = 1) => ({ sha256: sha, size });
const manifest = (n: number, extra = "") =>
  parseSnapshotManifest(JSON.stringify({ files: Array.from({ length: n }, (_, i) => ({ path: `src/f${i}${extra}.ts`, size: i + 1, sha256: `${i}`.padStart(64, "a") })) }));
const commit = (files: Commit["files"], extra: Partial<Commit> = {}): Commit => ({ format: 1, writer: "w", host: "h", n: 1, pushed_at: "t", run: { run_id: "r" }, files, logs: { "run.jsonl": { segments: [{ sha256: "s", size: 3, lines: 1 }], local_bytes: 3 } }, ...extra });
const text = (c: Commit, m = manifest(3)) => new TextDecoder().decode(commitText(c, snapshotPart(m)) as Uint8Array);
/** Equal to JSON.parse, files in the same order. */
const same = (t: string, blocks = new Map()) => {
  const got = parseCommit(t, blocks);
  expect(got).toEqual(JSON.parse(t));
  expect(Object.keys(got.files)).toEqual(Object.keys(JSON.parse(t).files));
  return blocks;
};

test.each([
  ["files on both sides of the snapshot", text(commit({ "artifacts/a.png": f("p"), "environment.json": f("e"), "snapshot_manifest.json": f("m") })), 1],
  ["only files after it, attached and a generation", text(commit({ "snapshot_manifest.json": f("m") }, { attached: true, generation: 2 })), 1],
  ["nothing but the snapshot", text(commit({})), 1],
  ["a run.json with a files key and a code_snapshot string", text(commit({ "z.txt": f("z") }, { run: { run_id: "r", files: { "code_snapshot/x": f("q") }, argv: ['"code_snapshot/y":{"sha256":"b","size":1}'] } })), 1],
  ["a snapshot path holding a brace and a quote", text(commit({ "z.txt": f("z") }), manifest(2, '}"x')), 1],
  ["no snapshot at all", JSON.stringify(commit({ "environment.json": f("e") })), 0],
  ["another key order (logs first)", JSON.stringify({ logs: {}, files: { "code_snapshot/a": f("a"), b: f("b") }, run: {} }), 0],
  ["a file named __proto__ (parsed whole: an own key, as JSON.parse makes it)", '{"format":1,"run":{},"files":{"__proto__":{"sha256":"x","size":1},"code_snapshot/a":{"sha256":"a","size":1}},"logs":{}}', 0],
  ["pretty-printed", JSON.stringify(commit({ "code_snapshot/a": f("a"), b: f("b") }), null, 2), 0],
] as const)("parseCommit is JSON.parse: %s", (_, t, kept) => {
  expect(same(t).size).toBe(kept);
});

test("milestones of one tree: their snapshot entries are parsed once and shared", () => {
  const m = manifest(1000);
  const blocks = same(text(commit({ "environment.json": f("e1") }, { run: { run_id: "a" } }), m));
  same(text(commit({ "environment.json": f("e2") }, { run: { run_id: "b" } }), m), blocks);
  expect(blocks.size).toBe(1);
  same(text(commit({}), manifest(1000, "-other")), blocks);
  expect(blocks.size).toBe(2);
});

test("a text that is not JSON throws as JSON.parse does", () => {
  const t = text(commit({ "environment.json": f("e") }));
  expect(() => parseCommit(t.slice(0, -5), new Map())).toThrow();
  expect(() => parseCommit(t.replace('"logs":', '"logs":,'), new Map())).toThrow();
});
