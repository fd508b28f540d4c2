import { describe, expect, test } from "bun:test";
import { isoTimestamp, safeStringify } from "../../../src/core/serialize";

describe("isoTimestamp", () => {
  test.each([0, 1, 999, 1000, 1767268800123, 1767268800999, 1767268801000, Date.now()])("matches toISOString for %p", (ms) => {
    expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });
  test("cache is per millisecond and per second", () => {
    const base = Date.UTC(2026, 0, 1, 12, 0, 0, 0);
    for (const d of [5, 5, 17, 999, 1000, 1001, 61_000, 5]) expect(isoTimestamp(base + d)).toBe(new Date(base + d).toISOString());
  });
});

describe("safeStringify", () => {
  const cyc: any = { a: 1 };
  cyc.self = cyc;
  const shared = { x: 1 };
  test.each([
    ["NaN and Infinity", { a: NaN, b: Infinity }, { a: null, b: null }],
    ["BigInt", { n: 10n }, { n: "10" }],
    ["cycle", cyc, { a: 1, self: "[Circular]" }],
    ["shared, not cyclic", { p: shared, q: shared }, { p: { x: 1 }, q: { x: 1 } }],
    ["function", { f: () => 1, a: 1 }, { a: 1 }],
    ["BigInt with cycle and NaN", Object.assign(cyc, {}), { a: 1, self: "[Circular]" }],
  ])("%s", (_name, value, parsed) => {
    const text = safeStringify(value);
    expect(JSON.parse(text)).toEqual(parsed);
  });
  test("NaN after BigInt becomes a string on the tolerant path", () => {
    expect(JSON.parse(safeStringify({ n: 1n, x: NaN }))).toEqual({ n: "1", x: "NaN" });
  });
  test("lone surrogates, U+2028, NUL and newlines stay on one valid line", () => {
    const text = safeStringify({ s: "a\ud800b\u2028c\0d\ne" });
    expect(text).not.toContain("\n");
    expect(JSON.parse(text).s).toBe("a\ufffdb\u2028c\0d\ne".replace("\ufffd", "\ud800"));
  });
  test("a throwing toJSON is recorded, not thrown", () => {
    const text = safeStringify({ a: { toJSON() { throw new Error("boom"); } } });
    expect(JSON.parse(text)).toEqual({ serialization_error: "boom" });
  });
});

describe("msJson", () => {
  const { msJson } = require("../../../src/core/run");
  test.each([
    [0, "0"], [0.1, "0.1"], [0.12, "0.12"], [0.123, "0.123"], [0.1234, "0.123"], [0.0005, "0.001"], [0.005, "0.005"],
    [1.05, "1.05"], [12.3456, "12.346"], [1000, "1000"], [NaN, "null"], [Infinity, "null"], [3e9, "3000000000"],
  ])("msJson(%p) is %p and parses to the duration rounded to the microsecond", (ms, text) => {
    expect(msJson(ms)).toBe(text);
  });
  test("agrees with JSON of the rounded value on a million durations", () => {
    for (let i = 0; i < 1_000_000; i += 7) {
      const ms = i / 997;
      expect(JSON.parse(msJson(ms))).toBe(Math.round(ms * 1000) / 1000);
    }
  });
});
