/**
 * One-pass aggregators over a run's JSONL records: each takes records one at a time and
 * keeps only running figures (and, for timings, a typed array of durations).
 */
import { LastValues, type MetricRecord, type OnDisk, type TimingRecord } from "../core/records";
import { DurationBag, type DurationStats } from "./stats";

export { caseKeyOf, hasError } from "./records";
export { LlmAggregator, type LlmSummary, type ModelSummary, type SlowCall } from "./llm";

/** One metric of a run: its last value, and min/max/mean over numeric values. */
export interface MetricSummary {
  name: string;
  type: string;
  last: unknown;
  count: number;
  /** Over the numeric values; null when none was numeric. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** The `step` of the last record, when it had one. */
  last_step: number | null;
}

/** One operation of timings.jsonl. */
export interface TimingSummary extends DurationStats {
  operation: string;
  errors: number;
}

interface MetricAgg {
  name: string;
  type: string;
  count: number;
  n: number;
  min: number;
  max: number;
  sum: number;
  step: number | null;
}

/**
 * Metrics by name, in the order first logged.
 *
 * @example
 * const m = new MetricAggregator();
 * m.add({ name: "loss", value: 0.5 }); m.add({ name: "loss", value: 0.3 });
 * m.result(); // [{ name: "loss", last: 0.3, count: 2, min: 0.3, max: 0.5, … }]
 */
export class MetricAggregator {
  private byName = new Map<string, MetricAgg>();
  private last = new LastValues();

  add(r: OnDisk<MetricRecord>): void {
    const name = r.name;
    if (typeof name !== "string") return;
    let a = this.byName.get(name);
    if (a === undefined) {
      a = { name, type: "custom", count: 0, n: 0, min: Infinity, max: -Infinity, sum: 0, step: null };
      this.byName.set(name, a);
    }
    const v = r.value;
    a.count++;
    this.last.add(r);
    if (typeof r.type === "string") a.type = r.type;
    a.step = typeof r.step === "number" ? r.step : null;
    if (typeof v === "number" && Number.isFinite(v)) {
      a.n++;
      a.sum += v;
      if (v < a.min) a.min = v;
      if (v > a.max) a.max = v;
    }
  }

  result(): MetricSummary[] {
    const last = this.last.values;
    return [...this.byName.values()].map((a) => ({
      name: a.name,
      type: a.type,
      last: last[a.name] === undefined ? null : last[a.name],
      count: a.count,
      min: a.n ? a.min : null,
      max: a.n ? a.max : null,
      mean: a.n ? a.sum / a.n : null,
      last_step: a.step,
    }));
  }
}

/**
 * Timings by operation, in the order first logged.
 *
 * @example
 * const t = new TimingAggregator();
 * t.add({ operation: "load", duration_ms: 12 });
 * t.result(); // [{ operation: "load", count: 1, total_ms: 12, … }]
 */
export class TimingAggregator {
  private byOp = new Map<string, { bag: DurationBag; errors: number }>();

  add(r: OnDisk<TimingRecord>): void {
    const op = r.operation;
    const ms = r.duration_ms;
    if (typeof op !== "string" || typeof ms !== "number") return;
    let a = this.byOp.get(op);
    if (a === undefined) {
      a = { bag: new DurationBag(), errors: 0 };
      this.byOp.set(op, a);
    }
    a.bag.add(ms);
    if (r.error !== undefined && r.error !== null) a.errors++;
  }

  result(): TimingSummary[] {
    return [...this.byOp].map(([operation, a]) => ({ operation, ...a.bag.stats(), errors: a.errors }));
  }
}
