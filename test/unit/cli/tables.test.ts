import { describe, expect, test } from "bun:test";
import { clip, clipMiddle, displayWidth, formatDelta, padColumns, paint, renderTable, wrap } from "../../../src/cli/tables";

describe("display width", () => {
  test("ASCII counts its characters; CJK and emoji count two columns; combining marks none", () => {
    expect(displayWidth("accuracy")).toBe(8);
    expect(displayWidth("精度")).toBe(4);
    expect(displayWidth("正確さ")).toBe(6);
    expect(displayWidth("🎯 hit")).toBe(6);
    expect(displayWidth("❤️")).toBe(2); // a pictograph asked for as emoji (U+FE0F)
    expect(displayWidth("👍🏽")).toBe(2); // skin tone modifier adds nothing
    expect(displayWidth("café")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("\x1b[31mred\x1b[39m")).toBe(3);
  });

  test("pad and clip by columns, never splitting a wide character", () => {
    expect(padColumns("精度", 6)).toBe("精度  ");
    expect(padColumns("精度", 6, "right")).toBe("  精度");
    expect(clip("精度精度精度", 6)).toBe("精度…");
    expect(displayWidth(clip("精度精度精度", 6))).toBeLessThanOrEqual(6);
    expect(displayWidth(clipMiddle("実験実験実験実験実験", 9))).toBeLessThanOrEqual(9);
  });

  test("a table of CJK and emoji names lines its columns up on screen", () => {
    const lines = renderTable(
      [{ header: "NAME", min: 8 }, { header: "LAST", align: "right" }],
      [["accuracy", "0.91"], ["精度", "0.5"], ["🎯 hits", "12"]],
      { width: 80, color: false },
    );
    const ends = lines.map((l) => displayWidth(l));
    expect(new Set(ends).size).toBe(1); // every right-aligned value ends at the same column
    expect(lines[2]).toBe("精度       0.5");
  });
});

describe("terminal helpers", () => {
  const plain = { width: 40, color: false };

  test.each([
    [0.1, "value", "+0.1"],
    [-0.05, "value", "-0.05"],
    [0, "value", "±0"],
    [-1500, "ms", "-1.5s"],
    [1234, "count", "+1,234"],
    [0.003, "usd", "+$0.0030"],
    [null, "value", ""],
  ] as const)("formatDelta(%p, %s)", (d, unit, text) => expect(formatDelta(d, unit)).toBe(text));

  test("clip, clipMiddle, wrap, paint", () => {
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
});
