/**
 * The statistics of an evaluation's aggregates: the mean, its standard error and a 95%
 * interval: Wilson's score interval when every value is 0 or 1 (pass/fail scorers; it stays
 * inside [0, 1] and behaves at 0% and 100%), else the normal interval mean ± 1.96·stderr.
 */
export interface Aggregate {
  mean: number;
  n: number;
  stderr: number;
  ci_low: number;
  ci_high: number;
}

const Z = 1.959963984540054;
const round = (x: number) => Number(x.toPrecision(12));

/**
 * @example
 * aggregate([1, 1, 0, 1]); // { mean: 0.75, n: 4, stderr: 0.25, ci_low: 0.3006…, ci_high: 0.9544… }
 */
export function aggregate(values: readonly number[]): Aggregate {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, n: 0, stderr: Number.NaN, ci_low: Number.NaN, ci_high: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const stderr = Math.sqrt(variance / n);
  if (values.every((v) => v === 0 || v === 1)) {
    const denom = 1 + (Z * Z) / n;
    const centre = (mean + (Z * Z) / (2 * n)) / denom;
    const half = (Z * Math.sqrt((mean * (1 - mean)) / n + (Z * Z) / (4 * n * n))) / denom;
    // At 0% and 100% the bound is exactly 0 or 1 (the formula leaves a rounding residue).
    const low = mean === 0 ? 0 : Math.max(0, centre - half);
    const high = mean === 1 ? 1 : Math.min(1, centre + half);
    return { mean: round(mean), n, stderr: round(stderr), ci_low: round(low), ci_high: round(high) };
  }
  return { mean: round(mean), n, stderr: round(stderr), ci_low: round(mean - Z * stderr), ci_high: round(mean + Z * stderr) };
}
