import { expect, test } from "bun:test";
import { evaluate } from "../../../src/eval/evaluate";

test("evaluate outside a run: every case once, errors recorded, retries", async () => {
  let attempts = 0;
  const { results, summary } = await evaluate({
    data: [{ id: "a", input: 1, expected: 2 }, { id: "b", input: 2, expected: 4 }, { id: "c", input: -1 }],
    task: (x: number) => {
      if (x === 2 && attempts++ === 0) throw new Error("flaky");
      if (x < 0) throw new Error("negative");
      return x * 2;
    },
    scores: { right: ({ output, expected }) => output === expected },
    retries: 1,
    concurrency: 2,
  });
  expect(results.map((r) => r.case_id).sort()).toEqual(["a", "b", "c"]);
  expect(results.find((r) => r.case_id === "b")!.scores.right).toBe(1);
  expect(results.find((r) => r.case_id === "c")!.error).toEqual({ name: "Error", message: "negative" });
  expect(summary.errors).toBe(1);
  expect(summary.scores.right!.n).toBe(2);
  expect(summary.scores.right!.mean).toBe(1);
});
