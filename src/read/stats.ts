/**
 * Numbers for the read model: a growable typed array of durations, sorted once for its
 * percentiles, so a million timings cost one Float64Array and one sort, never an array of
 * records.
 */

/** Count, total, mean, p50, p95 and max of a set of durations (ms). */
export interface DurationStats {
  count: number;
  total_ms: number;
  mean_ms: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

/**
 * Durations gathered one at a time.
 *
 * @example
 * const bag = new DurationBag();
 * bag.add(12); bag.add(30);
 * bag.stats(); // { count: 2, total_ms: 42, mean_ms: 21, p50_ms: 12, p95_ms: 30, max_ms: 30 }
 */
export class DurationBag {
  private values = new Float64Array(64);
  count = 0;
  total = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.count++] = ms;
    this.total += ms;
  }

  /** Sorts the values in place (once) and reads the figures. */
  stats(): DurationStats {
    const n = this.count;
    const sorted = this.values.subarray(0, n).sort();
    return {
      count: n,
      total_ms: round3(this.total),
      mean_ms: n ? round3(this.total / n) : 0,
      p50_ms: percentile(sorted, 0.5),
      p95_ms: percentile(sorted, 0.95),
      max_ms: n ? sorted[n - 1]! : 0,
    };
  }
}

/**
 * Nearest-rank percentile of sorted values (`p` in 0..1); 0 for none.
 *
 * @example
 * percentile(new Float64Array([1, 2, 3, 4]), 0.5); // 2
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)));
  return sorted[rank - 1]!;
}

/** Rounds to 3 decimals (microseconds, for ms figures): sums of floats print cleanly. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A finite number, else undefined. */
export function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
