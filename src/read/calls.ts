/**
 * A run's LLM calls as a list (the llm_call events of run.jsonl), searchable and paged:
 * input and output as text (strings as they are, anything else as indented JSON), model,
 * duration, token usage, cost, error, case and span ids.
 */
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { runFiles } from "../core/layout";
import { EventType, type LlmCallRecord, type OnDisk } from "../core/records";
import { caseKeyOf, hasError } from "./records";
import { finite } from "./stats";

/** One LLM call as the viewer lists it. */
export interface LlmCallRow {
  /** 0-based position among the run's LLM calls. */
  index: number;
  timestamp: string | null;
  model: string;
  input: string;
  output: string;
  duration_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cached_tokens: number | null;
  cost_usd: number | null;
  /** The error as text; null when the call succeeded. */
  error: string | null;
  case: string | null;
  span_id: string | null;
  parent_span_id: string | null;
}

export interface LlmCallPage {
  /** LLM calls in the run. */
  total: number;
  /** Calls matching the query. */
  matched: number;
  offset: number;
  calls: LlmCallRow[];
}

export interface LlmCallQuery extends ReadOptions {
  /** Case-insensitive text to find in model, input, output, error or case. */
  q?: string;
  offset?: number;
  /** Page size; default 50. */
  limit?: number;
}

/** A value as text: strings unchanged, undefined/null as "", anything else as indented JSON. */
export function asText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * One page of a run folder's LLM calls, oldest first, filtered by `q`.
 *
 * @example
 * readLlmCalls(run.dir, { q: "paris", limit: 20 }); // { total: 120, matched: 3, offset: 0, calls: [...] }
 */
export function readLlmCalls(dir: string, query: LlmCallQuery = {}): LlmCallPage {
  const q = (query.q ?? "").trim().toLowerCase();
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.max(0, Math.floor(query.limit ?? 50));
  let total = 0;
  let matched = 0;
  const calls: LlmCallRow[] = [];
  readJsonl(runFiles(dir).events, (r) => {
    if (r.event_type !== EventType.LLM_CALL) return;
    const index = total++;
    const row = toRow(r, index);
    if (q && !matches(row, q)) return;
    const n = matched++;
    if (n >= offset && calls.length < limit) calls.push(row);
  }, { onSkipped: query.onSkipped });
  return { total, matched, offset, calls };
}

function matches(row: LlmCallRow, q: string): boolean {
  return [row.model, row.input, row.output, row.error ?? "", row.case ?? ""].some((t) => t.toLowerCase().includes(q));
}

function toRow(r: OnDisk<LlmCallRecord>, index: number): LlmCallRow {
  const usage = r.usage && typeof r.usage === "object" ? (r.usage as Record<string, unknown>) : {};
  const num = (v: unknown) => finite(v) ?? null;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    index,
    timestamp: str(r.timestamp),
    model: typeof r.model === "string" ? r.model : asText(r.model ?? "unknown"),
    input: asText(r.input),
    output: asText(r.output),
    duration_ms: num(r.duration_ms),
    input_tokens: num(usage.input_tokens),
    output_tokens: num(usage.output_tokens),
    total_tokens: num(usage.total_tokens),
    cached_tokens: num(usage.cached_tokens),
    cost_usd: num(r.cost_usd),
    error: hasError(r) ? asText(r.error) : null,
    case: caseKeyOf(r),
    span_id: str(r.span_id),
    parent_span_id: str(r.parent_span_id),
  };
}
