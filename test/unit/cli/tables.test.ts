import { describe, expect, test } from "bun:test";
import { clip, clipMiddle, displayWidth, padColumns, renderTable } from "../../../src/cli/tables";

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
