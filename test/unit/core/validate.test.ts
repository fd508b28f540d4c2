import { describe, expect, test } from "bun:test";
import { validateName, validateRunId } from "../../../src/core/validate";
import { UserError } from "../../../src/core/errors";

describe("validateName", () => {
  test.each(["a", "sentiment_v2", "v1.0", "A-b_c.d", "0", "x".repeat(128)])("accepts %p", (name) => {
    expect(validateName(name, "experiment name")).toBe(name);
  });

  test.each([
    ["", "missing"],
    ["../x", "not valid"],
    ["..", "not valid"],
    ["a..b", "not valid"],
    ["a/b", "not valid"],
    ["a\\b", "not valid"],
    ["%2e%2e", "not valid"],
    ["%2e%2e%2f", "not valid"],
    ["%252e%252e%252f", "not valid"],
    ["a\0b", "not valid"],
    ["/abs", "not valid"],
    [".hidden", "not valid"],
    ["-flag", "not valid"],
    ["a?b", "not valid"],
    ["a#b", "not valid"],
    ["file://x", "not valid"],
    ["__proto__", "not valid"],
    ["constructor", "not valid"],
    ["x".repeat(129), "longer than 128"],
    ["x".repeat(300), "longer than 128"],
    ["sp ace", "not valid"],
  ])("refuses %p, naming the field", (name, why) => {
    let error: unknown;
    try {
      validateName(name, "experiment name");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toStartWith("experiment name");
    expect((error as Error).message).toContain(why);
  });

  test("non-strings are refused", () => {
    expect(() => validateName(undefined, "run id")).toThrow("run id is missing");
    expect(() => validateName(42, "run id")).toThrow("run id is missing");
  });

  test("trial_run is reserved as a milestone id", () => {
    expect(() => validateRunId("trial_run")).toThrow('run id "trial_run" is reserved');
    expect(validateRunId("v1")).toBe("v1");
  });
});
