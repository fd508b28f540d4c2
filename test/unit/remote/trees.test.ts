import { describe, expect, test } from "bun:test";
import { safeRelPath, treeId } from "../../../src/remote/trees";

describe("safeRelPath", () => {
  test.each(["a", "a/b.ts", "code_snapshot/src/f1.ts", ".env", "a/.b", "a..b", "...", "a/..b/c"])("%p stays inside a run folder", (rel) => {
    expect(safeRelPath(rel)).toBe(true);
  });
  test.each(["", "/a", "/etc/passwd", "a/", "a//b", "..", "../a", "a/../b", "a/..", ".", "./a", "a/./b", "a\\b", "..\\a", "C:x", "a\0b"])("%p is refused", (rel) => {
    expect(safeRelPath(rel)).toBe(false);
  });
});

describe("treeId", () => {
  const f = (sha: string, size = 1) => ({ sha256: sha, size });
  test("depends on paths, contents and sizes, not on their order", () => {
    const a = treeId([["code_snapshot/a", f("1")], ["code_snapshot/b", f("2")]]);
    expect(treeId([["code_snapshot/b", f("2")], ["code_snapshot/a", f("1")]])).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    for (const other of [
      [["code_snapshot/a", f("1")], ["code_snapshot/c", f("2")]],
      [["code_snapshot/a", f("1")], ["code_snapshot/b", f("3")]],
      [["code_snapshot/a", f("1")], ["code_snapshot/b", f("2", 2)]],
      [["code_snapshot/a", f("1")]],
    ] as [string, { sha256: string; size: number }][][]) expect(treeId(other)).not.toBe(a);
  });
});
