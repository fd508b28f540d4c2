import { describe, expect, test } from "bun:test";
import { clip, clipMiddle, formatDelta, paint, renderTable, wrap } from "../../src/cli/tables";
import { formatCost, formatMs } from "../../src/units";
import { repeatedFlag, listFlag } from "../../src/cli/flags";
import { renderTree } from "../../src/cli/show-view";

const plain = { width: 40, color: false };

describe("terminal helpers", () => {
  test.each([
    [0.42, "0.42ms"],
    [12.345, "12.3ms"],
    [999, "999ms"],
    [1500, "1.5s"],
    [125_000, "2m 05s"],
    [null, "-"],
  ])("formatMs(%p)", (ms, text) => expect(formatMs(ms)).toBe(text));

  test.each([
    [0.1, "value", "+0.1"],
    [-0.05, "value", "-0.05"],
    [0, "value", "±0"],
    [-1500, "ms", "-1.5s"],
    [1234, "count", "+1,234"],
    [0.003, "usd", "+$0.0030"],
    [null, "value", ""],
  ] as const)("formatDelta(%p, %s)", (d, unit, text) => expect(formatDelta(d, unit)).toBe(text));

  test("formatCost, clip, clipMiddle, wrap, paint", () => {
    expect(formatCost(12.5)).toBe("$12.50");
    expect(formatCost(null)).toBe("-");
    expect(clip("abcdef", 4)).toBe("abc…");
    expect(clip("two\nlines", 20)).toBe("two ⏎ lines");
    expect(clipMiddle("ms-20260101-120001", 12)).toHaveLength(12);
    expect(clipMiddle("ms-20260101-120001", 12)).toEndWith("120001");
    expect(wrap("one two three four", 9)).toEqual(["one two", "  three", "  four"]);
    expect(paint("x", "red", false)).toBe("x");
    expect(paint("x", "red", true)).toBe("\x1b[31mx\x1b[39m");
  });

  test("renderTable aligns, and narrows the widest shrinkable column to fit", () => {
    const cols = [{ header: "NAME", min: 6 }, { header: "VALUE", align: "right" as const }];
    expect(renderTable(cols, [["accuracy", "0.91"], ["f1", "0.5"]], plain)).toEqual(["NAME      VALUE", "accuracy   0.91", "f1          0.5"]);
    const lines = renderTable(cols, [["a".repeat(60), "1"]], plain);
    expect(lines[1]).toBe(`${"a".repeat(32)}…      1`);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });

  test("renderTree merges nothing itself and draws branches", () => {
    const leaf = (name: string) => ({ name, kind: "timing" as const, count: 1, total_ms: 5, errors: 0, children: [] });
    expect(renderTree([{ ...leaf("root"), children: [leaf("a"), { ...leaf("b"), kind: "llm", count: 3, errors: 1 }] }], plain)).toEqual([
      "  └─ root  5ms",
      "     ├─ a  5ms",
      "     └─ llm b ×3  5ms  1 error",
    ]);
  });
});

describe("repeated flags", () => {
  test.each([
    [["e", "--metric", "a>=1", "--metric=b<2", "--metric", "c>0"], undefined, ["a>=1", "b<2", "c>0"]],
    [["e"], "x>1", ["x>1"]],
    [["e"], ["x>1", "y<2"], ["x>1", "y<2"]],
    [["e", "--", "--metric", "no"], undefined, []],
  ] as const)("%j", (raw, parsed, expected) => {
    expect(repeatedFlag(raw, "metric", parsed)).toEqual([...expected]);
  });
  test("listFlag splits commas", () => expect(listFlag(["a,b", " c "])).toEqual(["a", "b", "c"]));
});
