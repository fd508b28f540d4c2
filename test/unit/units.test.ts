import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { formatBytes, formatCost, formatCount, formatDuration, formatMs, formatTime, formatValue, formatZone, terminalWidth } from "../../src/units";

describe("units: one rule each, for the CLI, the viewer and the report", () => {
  test.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1000 B"],
    [1024, "1 KiB"],
    [48_213, "47.1 KiB"],
    [1_048_576, "1 MiB"],
    [3_100_000, "3.0 MiB"],
    [5 * 1024 ** 3, "5 GiB"],
    [NaN, "-"],
  ])("formatBytes(%p) = %p", (n, text) => expect(formatBytes(n)).toBe(text));

  test.each([
    [0.85, "850ms"],
    [12.34, "12.3s"],
    [245, "4m 05s"],
    [7380, "2h 03m"],
    [undefined, "-"],
    [Infinity, "-"],
  ])("formatDuration(%p) = %p", (s, text) => expect(formatDuration(s as number)).toBe(text));

  test.each([
    [0.4213, "0.42ms"],
    [12.34, "12.3ms"],
    [1234, "1.2s"],
    [null, "-"],
  ])("formatMs(%p) = %p", (ms, text) => expect(formatMs(ms)).toBe(text));

  test.each([
    [0.000285, "$0.0003"],
    [12.5, "$12.50"],
    [null, "-"],
  ])("formatCost(%p) = %p", (usd, text) => expect(formatCost(usd)).toBe(text));

  test("formatCount and formatValue", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(undefined)).toBe("-");
    expect(formatValue(0.912345)).toBe("0.9123");
    expect(formatValue({ a: "x".repeat(40) })).toEndWith("…");
  });

  test("times are local and labelled with their zone (12:00Z under TZ=America/New_York is 07:00 UTC-05:00)", () => {
    // In a child process: a zone set after this process first used a Date is not seen.
    const units = join(import.meta.dir, "../../src/units.ts");
    const script = `import { formatTime, formatZone } from ${JSON.stringify(units)}; const t = "2026-01-15T12:00:00Z"; console.log(JSON.stringify([formatTime(t), formatTime(t, true), formatZone(t)]));`;
    const r = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, TZ: "America/New_York" } });
    expect(JSON.parse(r.stdout.toString())).toEqual(["2026-01-15 07:00", "01-15 07:00", "UTC-05:00"]);
    expect(formatTime(undefined)).toBe("-");
    expect(formatZone("not a time")).toBe("");
  });

  test.each([
    [{ isTTY: true, columns: 120 }, {}, 120],
    [{ isTTY: true, columns: 300 }, {}, 160],
    [{ isTTY: true, columns: 20 }, {}, 40],
    [{ isTTY: false }, { COLUMNS: "100" }, 100],
    [{ isTTY: false }, {}, 80],
    [{ isTTY: true, columns: 90 }, { COLUMNS: "200" }, 90],
  ])("terminalWidth(%j, %j) = %p", (stream, env, width) => expect(terminalWidth(stream, env)).toBe(width));
});

describe("units as the terminal views show them", () => {
  test.each([
    [0.42, "0.42ms"],
    [12.345, "12.3ms"],
    [999, "999ms"],
    [1500, "1.5s"],
    [125_000, "2m 05s"],
    [null, "-"],
  ])("formatMs(%p)", (ms, text) => expect(formatMs(ms)).toBe(text));

  test("formatCost", () => {
    expect(formatCost(12.5)).toBe("$12.50");
    expect(formatCost(null)).toBe("-");
  });
});
