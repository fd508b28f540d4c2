import { describe, expect, test } from "bun:test";
import { renderTree } from "../../../src/cli/show-view";

const plain = { width: 40, color: false };

describe("the span tree of show", () => {
  test("renderTree merges nothing itself and draws branches", () => {
    const leaf = (name: string) => ({ name, kind: "timing" as const, count: 1, total_ms: 5, errors: 0, children: [] });
    expect(renderTree([{ ...leaf("root"), children: [leaf("a"), { ...leaf("b"), kind: "llm", count: 3, errors: 1 }] }], plain)).toEqual([
      "  └─ root  5ms",
      "     ├─ a  5ms",
      "     └─ llm b ×3  5ms  1 error",
    ]);
  });
});
