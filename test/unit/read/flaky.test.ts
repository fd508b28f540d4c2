import { expect, test } from "bun:test";
import { flakiness } from "../../../src/read/flaky";

test("flakiness: cases whose trials disagree, per-case variance, a success over an error", () => {
  const f = flakiness([
    { case_id: "a", trial: 0, scores: { ok: 1, len: 3 } },
    { case_id: "a", trial: 1, scores: { ok: 0, len: 3 } },
    { case_id: "b", trial: 0, scores: { ok: 1, len: 2 } },
    { case_id: "b", trial: 1, error: { message: "429" } },
    { case_id: "b", trial: 1, scores: { ok: 1, len: 2 } },
  ])!;
  expect(f).toEqual({
    trials: 2,
    cases: 2,
    scorers: { ok: { cases: 2, mean_case_variance: 0.25, flaky: 1 }, len: { cases: 2, mean_case_variance: 0, flaky: 0 } },
    flaky: [{ case_id: "a", scores: { ok: [1, 0] } }],
  });
  expect(flakiness([{ case_id: "a", trial: 0, scores: { ok: 1 } }])).toBeUndefined();
});
