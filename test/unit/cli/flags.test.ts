import { describe, expect, test } from "bun:test";
import { repeatedFlag, listFlag } from "../../../src/cli/flags";

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
