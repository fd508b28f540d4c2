import { expect, test } from "bun:test";
import { sameSignature } from "../../../src/remote/state";

const scan = { "run.json": "10:1", "snapshot_manifest.json": "900:2", "code_snapshot/a.ts": "5:snapshot", "code_snapshot/b.ts": "7:snapshot" };
const kept = { "run.json": "10:1", "snapshot_manifest.json": "900:2" }; // as a state stores it

test.each([
  ["a scan and its stored form", scan, kept, true],
  ["an old state that kept the snapshot entries", scan, scan, true],
  ["a file changed", { ...scan, "run.json": "11:3" }, kept, false],
  ["the manifest changed", { ...scan, "snapshot_manifest.json": "901:4" }, kept, false],
  ["a file added", { ...scan, "artifacts/x": "1:5" }, kept, false],
  ["a file removed", { "snapshot_manifest.json": "900:2" }, kept, false],
  ["a snapshot file no longer listed by a manifest (walked instead)", { ...kept, "code_snapshot/a.ts": "5:9" }, kept, false],
] as const)("sameSignature: %s -> %p", (_, a, b, same) => {
  expect(sameSignature(a, b)).toBe(same);
  expect(sameSignature(b, a)).toBe(same);
});
