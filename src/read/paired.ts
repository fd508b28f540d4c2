/**
 * Paired significance between two runs on their common cases, per scorer: exact McNemar for
 * pass/fail scores (every value 0/1 or boolean), a seeded paired bootstrap over cases for
 * numeric ones, and Holm's correction across scorers. Trials are clustered by case: a case's
 * value is the mean over its trials, so a case run 3 times counts once.
 */

/** The paired difference of one scorer. */
export interface PairedStat {
  scorer: string;
  /** "mcnemar" (pass/fail) or "bootstrap" (numeric). */
  test: "mcnemar" | "bootstrap";
  /** Common cases with a value in both runs. */
  n: number;
  /** Mean of run minus baseline over the common cases. */
  diff: number;
  /** 95% interval of `diff`. */
  ci_low: number;
  ci_high: number;
  /** Two-sided p-value before correction. */
  p: number;
  /** Holm-adjusted p-value across the scorers of the comparison. */
  p_holm: number;
  /** p_holm < 0.05. */
  significant: boolean;
  /** McNemar only: cases pass→fail and fail→pass. */
  worse?: number;
  better?: number;
}

/** log of n choose k. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact two-sided McNemar p-value from the discordant counts b (baseline pass, run fail) and
 * c (baseline fail, run pass): twice the binomial(b+c, 1/2) tail of the smaller count, at most 1.
 *
 * @example
 * mcnemarExact(0, 10); // 0.001953125
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** mulberry32: a small seeded generator, so a comparison prints the same interval every time. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Paired bootstrap of the mean difference: resamples cases with replacement (seeded),
 * percentile 95% interval, two-sided p-value from the share of resampled means on the other
 * side of zero (with the +1 correction, so it is never exactly 0).
 *
 * @example
 * pairedBootstrap([0.1, 0.2, 0.15], 2000, 1); // { diff: 0.15, ci_low: …, ci_high: …, p: … }
 */
export function pairedBootstrap(d: readonly number[], resamples = 2000, seed = 1): { diff: number; ci_low: number; ci_high: number; p: number } {
  const n = d.length;
  if (n === 0) return { diff: 0, ci_low: 0, ci_high: 0, p: 1 };
  const mean = d.reduce((a, b) => a + b, 0) / n;
  if (d.every((x) => x === d[0])) return { diff: mean, ci_low: mean, ci_high: mean, p: mean === 0 ? 1 : 0 };
  const next = rng(seed);
  const means = new Float64Array(resamples);
  let below = 0;
  let above = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(next() * n)]!;
    const m = s / n;
    means[r] = m;
    if (m <= 0) below++;
    if (m >= 0) above++;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  const p = Math.min(1, (2 * (Math.min(below, above) + 1)) / (resamples + 1));
  return { diff: mean, ci_low: at(0.025), ci_high: at(0.975), p };
}

/**
 * Holm step-down adjustment: sorted p-values times (m - rank), kept monotone, at most 1.
 *
 * @example
 * holm([0.01, 0.04, 0.03]); // [0.03, 0.06, 0.06]
 */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, p * (m - rank)));
    out[i] = running;
  });
  return out;
}

const asNumber = (v: unknown): number | null => (typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "number" && Number.isFinite(v) ? v : null);

/** Wilson-free normal interval of a mean of paired 0/1 differences (for McNemar's diff). */
function diffInterval(d: readonly number[]): [number, number] {
  const n = d.length;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return [mean, mean];
  const v = d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const se = Math.sqrt(v / n);
  return [mean - 1.96 * se, mean + 1.96 * se];
}

/**
 * Per-scorer paired statistics of `run` against `baseline`. Each map is case id → scorer →
 * values (one per trial; booleans count as 0/1). Only cases with the scorer in both runs count.
 *
 * @example
 * pairedStats(new Map([["q1", { correct: [1] }]]), new Map([["q1", { correct: [0] }]]));
 */
export function pairedStats(
  baseline: ReadonlyMap<string, Record<string, readonly unknown[]>>,
  run: ReadonlyMap<string, Record<string, readonly unknown[]>>,
  opts: { seed?: number; resamples?: number } = {},
): PairedStat[] {
  const scorers = new Set<string>();
  for (const [, s] of baseline) for (const k of Object.keys(s)) scorers.add(k);
  const raw: Omit<PairedStat, "p_holm" | "significant">[] = [];
  for (const scorer of [...scorers].sort()) {
    const a: number[] = [];
    const b: number[] = [];
    for (const [id, sb] of baseline) {
      const sr = run.get(id)?.[scorer];
      const vb = sb[scorer];
      if (!vb || !sr) continue;
      const nb = vb.map(asNumber).filter((x): x is number => x !== null);
      const nr = sr.map(asNumber).filter((x): x is number => x !== null);
      if (nb.length === 0 || nr.length === 0) continue;
      a.push(nb.reduce((x, y) => x + y, 0) / nb.length);
      b.push(nr.reduce((x, y) => x + y, 0) / nr.length);
    }
    if (a.length === 0) continue;
    const d = b.map((x, i) => x - a[i]!);
    const binary = [...a, ...b].every((x) => x === 0 || x === 1);
    if (binary) {
      let worse = 0;
      let better = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === 1 && b[i] === 0) worse++;
        else if (a[i] === 0 && b[i] === 1) better++;
      }
      const [lo, hi] = diffInterval(d);
      raw.push({ scorer, test: "mcnemar", n: a.length, diff: (better - worse) / a.length, ci_low: lo, ci_high: hi, p: mcnemarExact(worse, better), worse, better });
    } else {
      const r = pairedBootstrap(d, opts.resamples ?? 2000, opts.seed ?? 1);
      raw.push({ scorer, test: "bootstrap", n: a.length, diff: r.diff, ci_low: r.ci_low, ci_high: r.ci_high, p: r.p });
    }
  }
  const adj = holm(raw.map((r) => r.p));
  return raw.map((r, i) => ({ ...r, p_holm: adj[i]!, significant: adj[i]! < 0.05 }));
}
