/** evaluate({ timeoutMs }): a case that runs too long fails with a TimeoutError, its signal aborts, the others run. */
import { expect, test } from "bun:test";
import { evaluate, TimeoutError } from "../../../src/eval/evaluate";

const data = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, input: i, expected: i }));
const exact = ({ output, expected }: { output: unknown; expected: unknown }) => output === expected;

test("a case over timeoutMs is recorded as timed out and its signal aborts; the other cases finish", async () => {
  let aborted: unknown;
  const { results, summary } = await evaluate({
    data,
    task: (i: number, _c, ctx) => {
      if (i !== 3) return i;
      return new Promise((resolve) => {
        ctx.signal!.addEventListener("abort", () => ((aborted = ctx.signal!.reason), resolve(-1)));
      });
    },
    scores: { exact },
    timeoutMs: 50,
    progress: false,
  });
  expect(summary.errors).toBe(1);
  const c3 = results.find((r) => r.case_id === "c3")!;
  expect(c3.error).toMatchObject({ name: "TimeoutError", message: "case c3 timed out after 50 ms (timeoutMs)" });
  expect(aborted).toBeInstanceOf(TimeoutError);
  expect(results.filter((r) => !r.error).map((r) => r.scores.exact)).toEqual([1, 1, 1, 1, 1]);
});

test("a timed-out case is retried like any error; a case that beats the timeout gets no signal abort", async () => {
  let attempts = 0;
  const { results } = await evaluate({
    data: data.slice(0, 1),
    task: async (i: number, _c, ctx) => {
      attempts++;
      if (attempts === 1) await new Promise((r) => setTimeout(r, 200));
      expect(ctx.signal!.aborted).toBe(attempts === 1);
      return i;
    },
    scores: { exact },
    timeoutMs: 40,
    retries: 1,
    progress: false,
  });
  expect(attempts).toBe(2);
  expect(results[0]).toMatchObject({ case_id: "c0", output: 0, scores: { exact: 1 } });
  expect(results[0]!.error).toBeUndefined();
});

test("timeoutMs must be a positive number", async () => {
  for (const bad of [0, -5, "30s", Number.NaN]) {
    await expect(evaluate({ data, task: (i: number) => i, scores: { exact }, timeoutMs: bad as number, progress: false })).rejects.toThrow(
      `evaluate(): timeoutMs must be a positive number of milliseconds, not ${JSON.stringify(bad)}: leave it out for no timeout`,
    );
  }
});
