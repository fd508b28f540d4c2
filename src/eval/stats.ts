/**
 * The statistics of an evaluation's aggregates, with the case as the unit: the mean, its
 * standard error and a 95% interval.
 *
 * With one result per case (trials = 1): the mean of the results, the standard error
 * sd/√n, and Wilson's score interval when every value is 0 or 1 (pass/fail scorers; it stays
 * inside [0, 1] and behaves at 0% and 100%), else the normal interval mean ± 1.96·stderr.
 *
 * With several trials per case, the trials of one case are not independent samples (a hard
 * case fails all its trials): counting them as such shrinks the interval by up to √trials.
 * So each case is first reduced to its mean over its trials, and the aggregate is taken over
 * those case means: the mean of the case means (each case weighs the same), the standard
 * error of that mean (the cluster-robust standard error, clusters = cases), the normal
 * interval around it; for pass/fail scorers Wilson's interval at the effective sample size
 * (Kish's n / design effect: p(1-p) over the case means' variance / cases, between the
 * number of cases and the number of results), so a case whose trials all agree counts once.
 */
export interface Aggregate {
  mean: number;
  /** Cases (the unit of the interval); with one result per case, the results. */
  n: number;
  stderr: number;
  ci_low: number;
  ci_high: number;
  /** Results (case × trial) behind the aggregate, when some case has several. */
  results?: number;
}

const Z = 1.959963984540054;
const round = (x: number) => Number(x.toPrecision(12));
const EMPTY: Aggregate = { mean: Number.NaN, n: 0, stderr: Number.NaN, ci_low: Number.NaN, ci_high: Number.NaN };
const isBinary = (v: number) => v === 0 || v === 1;

/** Wilson's 95% score interval for a proportion `p` seen over `n` (possibly fractional, effective) samples. */
function wilson(p: number, n: number): [number, number] {
  const denom = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denom;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denom;
  // At 0% and 100% the bound is exactly 0 or 1 (the formula leaves a rounding residue).
  return [p === 0 ? 0 : Math.max(0, centre - half), p === 1 ? 1 : Math.min(1, centre + half)];
}

/**
 * The aggregate of independent values (one per case).
 *
 * @example
 * aggregate([1, 1, 0, 1]); // { mean: 0.75, n: 4, stderr: 0.25, ci_low: 0.3006…, ci_high: 0.9544… }
 */
export function aggregate(values: readonly number[]): Aggregate {
  const n = values.length;
  if (n === 0) return { ...EMPTY };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const stderr = Math.sqrt(variance / n);
  if (values.every(isBinary)) {
    const [low, high] = wilson(mean, n);
    return { mean: round(mean), n, stderr: round(stderr), ci_low: round(low), ci_high: round(high) };
  }
  return { mean: round(mean), n, stderr: round(stderr), ci_low: round(mean - Z * stderr), ci_high: round(mean + Z * stderr) };
}

/**
 * The aggregate of results grouped by case (each group: one case's values over its trials),
 * the case as the unit. With one value per case it is `aggregate` of those values, exactly.
 *
 * @example
 * aggregateByCase([[1, 1, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1]]);
 * // { mean: 0.75, n: 4, stderr: 0.25, ci_low: 0.3006…, ci_high: 0.9544…, results: 12 }: as 4 single results
 */
export function aggregateByCase(groups: readonly (readonly number[])[]): Aggregate {
  const cases = groups.filter((g) => g.length > 0);
  const k = cases.length;
  if (k === 0) return { ...EMPTY };
  if (cases.every((g) => g.length === 1)) return aggregate(cases.map((g) => g[0]!));
  const means = cases.map((g) => g.reduce((a, b) => a + b, 0) / g.length);
  const results = cases.reduce((a, g) => a + g.length, 0);
  const mean = means.reduce((a, b) => a + b, 0) / k;
  const squares = means.reduce((a, m) => a + (m - mean) ** 2, 0);
  const stderr = Math.sqrt(k > 1 ? squares / (k - 1) / k : 0);
  if (cases.every((g) => g.every(isBinary))) {
    // Kish's effective sample size: the results' binomial variance over the case means'
    // variance (population form, as Wilson's p(1-p)/n is), capped at the results. Case means
    // that all agree leave no between-case variance: at 0% or 100% every result agrees, and
    // the trials add nothing to the cases; else each result counts.
    const between = squares / k / k;
    const nEff = k === 1 || mean === 0 || mean === 1 ? k : between === 0 ? results : Math.min(results, (mean * (1 - mean)) / between);
    const [low, high] = wilson(mean, nEff);
    return { mean: round(mean), n: k, stderr: round(stderr), ci_low: round(low), ci_high: round(high), results };
  }
  return { mean: round(mean), n: k, stderr: round(stderr), ci_low: round(mean - Z * stderr), ci_high: round(mean + Z * stderr), results };
}

interface ScoredResult {
  case_id: string;
  scores?: Record<string, unknown>;
  error?: unknown;
}

/**
 * The aggregate of one scorer over case results (those without an error and with a numeric
 * score for it), the case as the unit.
 *
 * @example
 * scorerAggregate([{ case_id: "a", scores: { ok: 1 } }, { case_id: "a", scores: { ok: 0 } }], "ok"); // { mean: 0.5, n: 1, … results: 2 }
 */
export function scorerAggregate(records: Iterable<ScoredResult>, scorer: string): Aggregate {
  const byCase = new Map<string, number[]>();
  for (const r of records) {
    const v = r.error ? undefined : r.scores?.[scorer];
    if (typeof v !== "number") continue;
    const g = byCase.get(r.case_id);
    if (g) g.push(v);
    else byCase.set(r.case_id, [v]);
  }
  return aggregateByCase([...byCase.values()]);
}
