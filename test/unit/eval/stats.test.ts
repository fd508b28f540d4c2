import { describe, expect, test } from "bun:test";
import { aggregate, aggregateByCase, scorerAggregate } from "../../../src/eval/stats";

// Expected values computed by hand (see the comments), to 4 decimals.
describe("aggregateByCase: the case is the unit", () => {
  test("one result per case: exactly aggregate() of the results", () => {
    for (const values of [[1, 1, 0, 1], [0.2, 0.4, 0.6], [0, 0, 0], [1], [0.5]]) {
      expect(aggregateByCase(values.map((v) => [v]))).toEqual(aggregate(values));
    }
  });

  test("numeric: mean and standard error of the case means", () => {
    // case means 0.3, 0.7, 1.0 -> mean 2/3; squares .134444 + .001111 + .111111 = .246667;
    // variance /2 = .123333; stderr sqrt(.123333/3) = .202759; ± 1.959964 × .202759 = ± .397401
    const a = aggregateByCase([[0.2, 0.4], [0.6, 0.8], [1, 1]]);
    expect(a.mean).toBeCloseTo(0.666667, 5);
    expect(a.n).toBe(3);
    expect(a.results).toBe(6);
    expect(a.stderr).toBeCloseTo(0.202759, 5);
    expect(a.ci_low).toBeCloseTo(0.269266, 4);
    expect(a.ci_high).toBeCloseTo(1.064068, 4);
    // Counting the 6 trials as independent gives a stderr of 0.1333: too narrow.
    expect(aggregate([0.2, 0.4, 0.6, 0.8, 1, 1]).stderr).toBeCloseTo(0.133333, 5);
  });

  test("pass/fail whose trials all agree: the same as one trial per case, not 3x the evidence", () => {
    const a = aggregateByCase([[1, 1, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1]]);
    const one = aggregate([1, 0, 1, 1]);
    expect(a).toEqual({ ...one, results: 12 });
    expect(a.ci_low).toBeCloseTo(0.3006, 4);
    expect(a.ci_high).toBeCloseTo(0.9544, 4);
    // The per-trial count would claim [0.4677, 0.9111].
    expect(aggregate([1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1]).ci_low).toBeCloseTo(0.4677, 4);
  });

  test("pass/fail that varies inside cases: Wilson at the effective sample size", () => {
    // case means .5, 1, 0, 1 -> p .625; squares .015625 + .140625 + .390625 + .140625 = .6875
    // stderr sqrt(.6875/3/4) = .239357; between-case variance of the mean .6875/16 = .04296875
    // n_eff = .625 × .375 / .04296875 = 5.4545 (between 4 cases and 8 results)
    // Wilson(p .625, n 5.4545): centre .573346, half .315474
    const a = aggregateByCase([[1, 0], [1, 1], [0, 0], [1, 1]]);
    expect(a).toMatchObject({ mean: 0.625, n: 4, results: 8 });
    expect(a.stderr).toBeCloseTo(0.239357, 5);
    expect(a.ci_low).toBeCloseTo(0.257872, 4);
    expect(a.ci_high).toBeCloseTo(0.88882, 4);
  });

  test("every case at the same rate: each result counts; 0% and 100% count each case once", () => {
    // p .5 over 3 cases of 2: n_eff = 6 results; Wilson(.5, 6) = [.1876, .8124]
    const half = aggregateByCase([[1, 0], [0, 1], [1, 0]]);
    expect(half.stderr).toBe(0);
    expect(half.ci_low).toBeCloseTo(0.1876, 4);
    expect(half.ci_high).toBeCloseTo(0.8124, 4);
    expect(aggregateByCase([[1, 1], [1, 1], [1, 1]])).toEqual({ ...aggregate([1, 1, 1]), results: 6 });
    expect(aggregateByCase([[0, 0, 0]])).toEqual({ ...aggregate([0]), results: 3 });
  });

  test("unequal trials: each case weighs the same", () => {
    // case means 1 (one trial) and 0.25 (four) -> 0.625, not 2/5 = 0.4
    expect(aggregateByCase([[1], [0, 0, 1, 0]]).mean).toBe(0.625);
    expect(aggregateByCase([]).n).toBe(0);
    expect(Number.isNaN(aggregateByCase([[]]).mean)).toBe(true);
  });
});

test("scorerAggregate: groups by case_id, skipping errors and missing scores", () => {
  const a = scorerAggregate(
    [
      { case_id: "a", scores: { ok: 1 } },
      { case_id: "b", scores: { ok: 0 } },
      { case_id: "a", scores: { ok: 0 } },
      { case_id: "b", scores: {}, error: { message: "boom" } },
      { case_id: "c", scores: { other: 1 } },
    ],
    "ok",
  );
  expect(a).toMatchObject({ mean: 0.25, n: 2, results: 3 });
});

describe("aggregate", () => {
  test("pass/fail values get Wilson's interval", () => {
    const a = aggregate([1, 1, 0, 1]);
    expect(a.mean).toBe(0.75);
    expect(a.n).toBe(4);
    expect(a.ci_low).toBeCloseTo(0.3006, 4);
    expect(a.ci_high).toBeCloseTo(0.9544, 4);
    expect(aggregate([0, 0, 0]).ci_low).toBe(0);
    expect(aggregate([0, 0, 0]).ci_high).toBeGreaterThan(0.4);
  });
  test("numeric values get mean ± 1.96 stderr", () => {
    const a = aggregate([0.2, 0.4, 0.6]);
    expect(a.mean).toBeCloseTo(0.4, 12);
    expect(a.stderr).toBeCloseTo(0.11547, 5);
    expect(a.ci_low).toBeCloseTo(0.4 - 1.959964 * 0.11547, 4);
  });
});
