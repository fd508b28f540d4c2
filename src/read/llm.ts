/**
 * LLM calls of a run in one pass: counts, tokens, cost, latency, per model, and the
 * slowest few (kept in a small sorted array, never a list of every call).
 */
import type { LlmCallRecord, OnDisk } from "../core/records";
import { caseKeyOf, hasError } from "./records";
import { DurationBag, finite, round3, type DurationStats } from "./stats";

/** LLM calls of one model. */
export interface ModelSummary {
  model: string;
  calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  total_ms: number;
}

/** One of the slowest LLM calls. */
export interface SlowCall {
  timestamp: string | null;
  model: string;
  duration_ms: number;
  span_id: string | null;
  case: string | null;
  error: boolean;
}

/** Every LLM call of a run (llm_call events of run.jsonl). */
export interface LlmSummary {
  calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  /** Sum of cost_usd; null when no call reported one. */
  cost_usd: number | null;
  duration: DurationStats;
  models: ModelSummary[];
  slowest: SlowCall[];
}

/**
 * LLM calls: counts, tokens, cost, durations, per model, and the slowest few.
 *
 * @example
 * const l = new LlmAggregator();
 * l.add({ model: "gpt-4o", duration_ms: 420, cost_usd: 0.01 });
 * l.result().cost_usd; // 0.01
 */
export class LlmAggregator {
  private calls = 0;
  private errors = 0;
  private input = 0;
  private output = 0;
  private total = 0;
  private cached = 0;
  private cost = 0;
  private costSeen = false;
  private bag = new DurationBag();
  private models = new Map<string, ModelSummary>();
  private slow: SlowCall[] = [];
  private slowFloor = -Infinity;

  constructor(private keepSlowest = 5) {}

  add(r: OnDisk<LlmCallRecord>): void {
    const model = typeof r.model === "string" ? r.model : String(r.model ?? "unknown");
    let m = this.models.get(model);
    if (m === undefined) {
      m = { model, calls: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: null, total_ms: 0 };
      this.models.set(model, m);
    }
    this.calls++;
    m.calls++;
    const ms = finite(r.duration_ms) ?? 0;
    this.bag.add(ms);
    m.total_ms += ms;
    const error = hasError(r);
    if (error) {
      this.errors++;
      m.errors++;
    }
    const usage = r.usage as Record<string, unknown> | undefined;
    if (usage !== undefined && usage !== null && typeof usage === "object") {
      const i = finite(usage.input_tokens) ?? 0;
      const o = finite(usage.output_tokens) ?? 0;
      this.input += i;
      this.output += o;
      this.total += finite(usage.total_tokens) ?? i + o;
      this.cached += finite(usage.cached_tokens) ?? 0;
      m.input_tokens += i;
      m.output_tokens += o;
    }
    const cost = finite(r.cost_usd);
    if (cost !== undefined) {
      this.cost += cost;
      this.costSeen = true;
      m.cost_usd = (m.cost_usd ?? 0) + cost;
    }
    if (this.keepSlowest > 0 && (this.slow.length < this.keepSlowest || ms > this.slowFloor)) this.keepSlow(r, model, ms, error);
  }

  private keepSlow(r: OnDisk<LlmCallRecord>, model: string, ms: number, error: boolean): void {
    const call: SlowCall = {
      timestamp: typeof r.timestamp === "string" ? r.timestamp : null,
      model,
      duration_ms: ms,
      span_id: typeof r.span_id === "string" ? r.span_id : null,
      case: caseKeyOf(r),
      error,
    };
    let i = this.slow.length;
    while (i > 0 && this.slow[i - 1]!.duration_ms < ms) i--;
    this.slow.splice(i, 0, call);
    if (this.slow.length > this.keepSlowest) this.slow.pop();
    this.slowFloor = this.slow.length < this.keepSlowest ? -Infinity : this.slow[this.slow.length - 1]!.duration_ms;
  }

  result(): LlmSummary {
    const costOf = (c: number | null) => (c === null ? null : Math.round(c * 1e8) / 1e8);
    return {
      calls: this.calls,
      errors: this.errors,
      input_tokens: this.input,
      output_tokens: this.output,
      total_tokens: this.total,
      cached_tokens: this.cached,
      cost_usd: this.costSeen ? costOf(this.cost) : null,
      duration: this.bag.stats(),
      models: [...this.models.values()]
        .map((m) => ({ ...m, cost_usd: costOf(m.cost_usd), total_ms: round3(m.total_ms) }))
        .sort((a, b) => b.calls - a.calls || a.model.localeCompare(b.model)),
      slowest: this.slow,
    };
  }
}
