import { describe, expect, test } from "bun:test";
import { diffLines, splitLines, unifiedDiff } from "../../../src/read/diff";

/** Length of the longest common subsequence, by dynamic programming (the reference). */
function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  return dp[a.length]![b.length]!;
}

/** Applies a unified diff to `a` (the test's own little patcher). */
function applyPatch(a: string[], patch: string): string[] {
  const out: string[] = [];
  let at = 0;
  const lines = patch.split("\n").slice(2);
  for (const line of lines) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (h) {
      const start = h[2] === "0" ? Number(h[1]) : Number(h[1]) - 1;
      while (at < start) out.push(a[at++]!);
    } else if (line.startsWith(" ")) {
      out.push(line.slice(1));
      at++;
    } else if (line.startsWith("-")) at++;
    else if (line.startsWith("+")) out.push(line.slice(1));
  }
  while (at < a.length) out.push(a[at++]!);
  return out;
}

describe("diffLines", () => {
  test.each([
    [[], [], ""],
    [["a"], ["a"], " a"],
    [["a", "b"], ["a", "c"], " a -b +c"],
    [[], ["x", "y"], "+x +y"],
    [["x", "y"], [], "-x -y"],
    [["a", "b", "c", "a", "b", "b", "a"], ["c", "b", "a", "b", "a", "c"], null],
  ])("%j -> %j", (a, b, expected) => {
    const edits = diffLines(a, b);
    if (expected !== null) expect(edits.map((e) => e.op + e.line).join(" ")).toBe(expected);
    expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(a);
    expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(b);
    expect(edits.filter((e) => e.op === " ").length).toBe(lcs(a, b));
  });

  test("random inputs: a shortest edit script that rebuilds both sides", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rand(14) }, () => "abcd"[rand(4)]!);
      const b = Array.from({ length: rand(14) }, () => "abcd"[rand(4)]!);
      const edits = diffLines(a, b);
      expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(a);
      expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(b);
      expect(edits.filter((e) => e.op === " ").length).toBe(lcs(a, b));
      const patch = unifiedDiff(a.map((l) => `${l}\n`).join(""), b.map((l) => `${l}\n`).join(""), { context: rand(4) });
      if (patch) expect(applyPatch(a, patch)).toEqual(b);
    }
  });
});

describe("unifiedDiff", () => {
  test("equal texts: empty", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n")).toBe("");
  });

  test("one changed line with context, diff -u style", () => {
    const a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const b = "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n";
    expect(unifiedDiff(a, b, { from: "a/x", to: "b/x" })).toBe("--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n");
  });

  test("far-apart changes make two hunks; near ones one", () => {
    const a = Array.from({ length: 30 }, (_, i) => `l${i}\n`).join("");
    const two = a.replace("l2\n", "L2\n").replace("l25\n", "L25\n");
    expect(unifiedDiff(a, two).match(/^@@/gm)?.length).toBe(2);
    const one = a.replace("l2\n", "L2\n").replace("l8\n", "L8\n");
    expect(unifiedDiff(a, one).match(/^@@/gm)?.length).toBe(1);
  });

  test("files added, emptied, and a missing newline at the end", () => {
    expect(unifiedDiff("", "x\n")).toBe("--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
    expect(unifiedDiff("x\ny\n", "")).toBe("--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n");
    expect(unifiedDiff("x\n", "x")).toBe("--- a\n+++ b\n@@ -1 +1 @@\n-x\n+x\n\\ No newline at end of file\n");
  });

  test("splitLines keeps a last line without newline, marked", () => {
    expect(splitLines("")).toEqual([]);
    expect(splitLines("a\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("a\nb")).toHaveLength(2);
  });

  test("texts with nothing in common beyond the edit budget are shown replaced whole", () => {
    const a = Array.from({ length: 6000 }, (_, i) => `a${i}\n`).join("");
    const b = Array.from({ length: 6000 }, (_, i) => `b${i}\n`).join("");
    const patch = unifiedDiff(a, b);
    expect(patch.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---")).length).toBe(6000);
    expect(patch.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++")).length).toBe(6000);
  });

  test("a large file with a few changes stays fast", () => {
    const a = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[100] = "changed";
    b.splice(30_000, 1);
    b.push("tail");
    const t = performance.now();
    const patch = unifiedDiff(`${a.join("\n")}\n`, `${b.join("\n")}\n`);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(applyPatch(a, patch)).toEqual(b);
  });
});
