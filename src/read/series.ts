/**
 * Metric series: every numeric value of each metric in the order logged, with its x: the
 * record's `step` when every record of the metric has one (sorted by step), else the
 * record's index (0, 1, 2…). What the viewer charts; long series are thinned to at most `maxPoints` evenly spaced
 * points (the first and last always kept).
 */
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";
import type { MetricRecord, OnDisk } from "../core/records";
import { finite } from "./stats";

/** One metric's values, x and y aligned. */
export interface MetricSeries {
  name: string;
  type: string;
  /** "step" when every numeric record had a numeric `step`, else "index". */
  x_kind: "step" | "index";
  x: number[];
  y: number[];
  /** Numeric records logged (before thinning). */
  count: number;
}

export interface SeriesOptions extends ReadOptions {
  /** Most points kept per metric; default 2000. */
  maxPoints?: number;
}

interface Acc {
  name: string;
  type: string;
  steps: number[];
  index: number[];
  y: number[];
  allStepped: boolean;
}

/**
 * The numeric series of every metric of a run folder, in the order first logged.
 *
 * @example
 * readMetricSeries(run.dir)[0]; // { name: "loss", type: "loss", x_kind: "step", x: [1, 2, 3], y: [0.9, 0.5, 0.3], count: 3 }
 */
export function readMetricSeries(dir: string, opts: SeriesOptions = {}): MetricSeries[] {
  const byName = new Map<string, Acc>();
  readJsonl(runFiles(dir).metrics, (line) => {
    const r = line as OnDisk<MetricRecord>;
    if (typeof r.name !== "string") return;
    const y = finite(r.value);
    let a = byName.get(r.name);
    if (a === undefined) {
      a = { name: r.name, type: "custom", steps: [], index: [], y: [], allStepped: true };
      byName.set(r.name, a);
    }
    if (typeof r.type === "string") a.type = r.type;
    if (y === undefined) return;
    const step = finite(r.step);
    if (step === undefined) a.allStepped = false;
    a.steps.push(step ?? 0);
    a.index.push(a.y.length);
    a.y.push(y);
  }, { onSkipped: opts.onSkipped });
  const max = Math.max(2, opts.maxPoints ?? 2000);
  return [...byName.values()].map((a) => {
    const stepped = a.allStepped && a.y.length > 0;
    let x = stepped ? a.steps : a.index;
    let y = a.y;
    if (stepped && !ascending(x)) {
      // Charts need x in order: steps logged out of order (parallel workers) are sorted, stably.
      const order = x.map((_, i) => i).sort((i, j) => x[i]! - x[j]! || i - j);
      x = order.map((i) => a.steps[i]!);
      y = order.map((i) => a.y[i]!);
    }
    const keep = thin(y.length, max);
    return {
      name: a.name,
      type: a.type,
      x_kind: stepped ? "step" : "index",
      x: keep ? keep.map((i) => x[i]!) : x,
      y: keep ? keep.map((i) => y[i]!) : y,
      count: a.y.length,
    };
  });
}

function ascending(xs: number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) return false;
  return true;
}

/** Indices of `max` evenly spaced points out of `n` (first and last included); null when all fit. */
function thin(n: number, max: number): number[] | null {
  if (n <= max) return null;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}
