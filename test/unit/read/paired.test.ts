import { describe, expect, test } from "bun:test";
import { holm, mcnemarExact, pairedBootstrap, pairedStats } from "../../../src/read/paired";
import { compareCases, type CaseResult } from "../../../src/read/cases";

const cases = (n: number, f: (i: number) => Record<string, unknown[]>) => new Map(Array.from({ length: n }, (_, i) => [`c${i}`, f(i)] as const));

describe("paired statistics", () => {
  test("exact McNemar matches the binomial tail", () => {
    expect(mcnemarExact(0, 10)).toBeCloseTo(2 / 1024, 12);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(5, 5)).toBe(1);
    // b=1, c=9: 2 * (1 + 10) / 1024
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 12);
  });

  test("Holm adjusts step-down and stays monotone", () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5])).toEqual([0.5]);
  });

  test("bootstrap is seeded and its interval covers the mean", () => {
    const d = Array.from({ length: 50 }, (_, i) => 0.1 + ((i % 7) - 3) * 0.01);
    const a = pairedBootstrap(d, 1000, 7);
    expect(a).toEqual(pairedBootstrap(d, 1000, 7));
    expect(a.ci_low).toBeLessThan(a.diff);
    expect(a.ci_high).toBeGreaterThan(a.diff);
    expect(a.p).toBeLessThan(0.01);
    const noise = pairedBootstrap(Array.from({ length: 50 }, (_, i) => (i % 2 ? 0.1 : -0.1)), 1000, 7);
    expect(noise.p).toBeGreaterThan(0.5);
  });

  test("one flipped case of 200 is within noise; 20 regressions are significant", () => {
    const base = cases(200, () => ({ correct: [true] }));
    const one = pairedStats(base, cases(200, (i) => ({ correct: [i !== 3] })));
    expect(one[0]).toMatchObject({ scorer: "correct", test: "mcnemar", n: 200, worse: 1, better: 0, significant: false });
    const twenty = pairedStats(base, cases(200, (i) => ({ correct: [i >= 20] })));
    expect(twenty[0]!.worse).toBe(20);
    expect(twenty[0]!.diff).toBeCloseTo(-0.1, 12);
    expect(twenty[0]!.p).toBeLessThan(1e-5);
    expect(twenty[0]!.significant).toBe(true);
  });

  test("trials are clustered by case; numeric scores use the bootstrap; Holm across scorers", () => {
    const base = cases(30, (i) => ({ sim: [0.5, 0.5, 0.5], exact: [1] }));
    const run = cases(30, (i) => ({ sim: [0.6, 0.7, 0.5 + (i % 3) * 0.01], exact: [i === 0 ? 0 : 1] }));
    const st = pairedStats(base, run);
    const sim = st.find((s) => s.scorer === "sim")!;
    expect(sim.test).toBe("bootstrap");
    expect(sim.n).toBe(30);
    expect(sim.significant).toBe(true);
    const exact = st.find((s) => s.scorer === "exact")!;
    expect(exact.p_holm).toBeGreaterThanOrEqual(exact.p);
    expect(exact.significant).toBe(false);
  });

  test("compareCases carries the paired statistics of each run", () => {
    const m = (n: number, f: (i: number) => number) => new Map<string, CaseResult>(Array.from({ length: n }, (_, i) => [`q${i}`, { output: null, scores: { acc: f(i) } }]));
    const r = compareCases({ run_id: "a", cases: m(40, () => 1) }, [{ run_id: "b", cases: m(40, (i) => (i < 10 ? 0 : 1)) }]);
    expect(r.runs[0]!.paired[0]).toMatchObject({ scorer: "acc", n: 40, worse: 10, better: 0, significant: true });
  });
});
