/**
 * The records of a run's three JSONL files (CONTRACT "JSONL records"): their types, the
 * builders every writer uses, and the accessors every reader uses. Adding a field to a
 * record is one edit here; the compiler then finds each writer and reader that must know.
 *
 * Writers: `Run` (core/run.ts) adds `timestamp`, `run_id` and `event_type`; the builders
 * below make the rest. Readers get `OnDisk<…>` views: the field names are checked by the
 * compiler, the values are `unknown` until validated (a file may come from any version).
 */
import { safeStringify } from "./serialize";
import type { PromptRef } from "./scope";
import { normalizeUsage, type Usage } from "./usage";

export type { Usage } from "./usage";

/** The library's own event types in run.jsonl (user events use any other name). */
export const EventType = {
  RUN_STARTED: "run_started",
  RUN_FINISHED: "run_finished",
  RUN_FAILED: "run_failed",
  RUN_INTERRUPTED: "run_interrupted",
  LLM_CALL: "llm_call",
  CASE_RESULT: "case_result",
  ARTIFACT_SAVED: "artifact_saved",
} as const;

/** The fields every line of every file starts with. */
export interface RecordBase {
  /** ISO-8601 UTC with milliseconds. */
  timestamp: string;
  run_id: string;
}

/**
 * An error as every record writes it: `llm_call`, `case_result`, `run_failed` and run.json.
 * `status_code` is the HTTP status an SDK error carried; `stack` where the error had one.
 */
export interface RecordError {
  name: string;
  message: string;
  status_code?: number;
  stack?: string;
}

/** The fields of an `llm_call` event (what a writer gives; `Run` adds the base fields). */
export interface LlmCallFields {
  model: string;
  input?: unknown;
  output?: unknown;
  duration_ms: number;
  span_id: string;
  parent_span_id?: string;
  usage?: Usage;
  /** The prompt versions rendered for this call (src/core/scope.ts). */
  prompts?: PromptRef[];
  /** null: the call was made but its cost is unknown (an unpriced model, an aborted stream). */
  cost_usd?: number | null;
  error?: RecordError;
  /** The HTTP status of a failed call (also in `error.status_code`; kept for older readers). */
  status_code?: number;
  /** The wrapped function's name (`llmCall`). */
  name?: string;
  // The client wrappers' fields (src/clients).
  provider?: string;
  api?: string;
  response_model?: string;
  response_id?: string;
  finish_reason?: unknown;
  params?: Record<string, unknown>;
  stream?: true;
  ttft_ms?: number;
  aborted?: true;
  raw_response?: true;
  cache_hit?: boolean;
  cache_key?: string;
}

/** An `llm_call` line of run.jsonl. */
export interface LlmCallRecord extends RecordBase, LlmCallFields {
  event_type: typeof EventType.LLM_CALL;
}

/** The fields of a `case_result` event (`evaluate()`, CONTRACT section 4). */
export interface CaseResultFields {
  case_id: string;
  trial: number;
  /** Which `evaluate()` of the run wrote it (0, the first, is left out; matches `eval_started`). */
  eval_index?: number;
  input: unknown;
  output: unknown;
  expected?: unknown;
  scores: Record<string, number>;
  reasons?: Record<string, string>;
  error?: RecordError;
  duration_ms: number;
  cost_usd?: number;
  /** Prompt name -> version rendered for this case (src/core/scope.ts). */
  prompts?: Record<string, string>;
  /** Rate-limited LLM calls retried for this case (src/clients/shared/limiter.ts). */
  retries?: number;
}

/** A `case_result` line of run.jsonl. */
export interface CaseResultRecord extends RecordBase, CaseResultFields {
  event_type: typeof EventType.CASE_RESULT;
}

/** Any line of run.jsonl: a user event's data fields sit at the top level. */
export interface EventRecord extends RecordBase {
  event_type: string;
  [field: string]: unknown;
}

/** A line of metrics.jsonl. */
export interface MetricRecord extends RecordBase {
  name: string;
  value: unknown;
  /** "custom" unless given. */
  type: string;
  step?: number;
}

/** A line of timings.jsonl (a timer, a span). `error` is the message of what the timed code threw. */
export interface TimingRecord extends RecordBase {
  operation: string;
  duration_ms: number;
  span_id: string;
  parent_span_id?: string;
  error?: string;
}

/**
 * A record as a reader meets it: the same field names, every value unknown until checked
 * (the file may come from an older version, another tool, or a hand edit).
 *
 * @example
 * const call = r as OnDisk<LlmCallRecord>;
 * const cost = typeof call.cost_usd === "number" ? call.cost_usd : null;
 */
export type OnDisk<T> = { [K in keyof T]?: unknown } & Record<string, unknown>;

// ---- errors ---------------------------------------------------------------------------

/** The SDKs' error classes leave `name` as "Error"; their class name says more (RateLimitError). */
function errorName(error: object): string {
  const name = (error as { name?: unknown }).name;
  if (typeof name === "string" && name !== "Error" && name !== "") return name;
  const ctor = error.constructor?.name;
  return ctor && ctor !== "Object" && ctor !== "Function" ? ctor : "Error";
}

/**
 * An error as records write it: `{name, message, status_code?, stack?}`. Anything thrown is
 * accepted (a string, a plain object, an SDK error with `status` or `statusCode`, an HTTP
 * client's with `response.status`). `stack:
 * false` leaves the stack out (case_result: one per failing case and trial, compared, shown).
 *
 * @example
 * describeError(new TypeError("bad")); // { name: "TypeError", message: "bad", stack: "TypeError: bad\n  at …" }
 * describeError("timeout");            // { name: "Error", message: "timeout" }
 */
export function describeError(error: unknown, opts?: { stack?: boolean }): RecordError {
  if (error === null || typeof error !== "object") {
    return { name: "Error", message: typeof error === "string" ? error : safeStringify(error) };
  }
  const e = error as { message?: unknown; status?: unknown; statusCode?: unknown; stack?: unknown; response?: { status?: unknown } };
  const out: RecordError = {
    name: errorName(error),
    message: typeof e.message === "string" ? e.message : error instanceof Error ? "" : safeStringify(error),
  };
  // axios, ky and ofetch errors carry the answer: `error.response.status`.
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : typeof e.response?.status === "number" ? e.response.status : undefined;
  if (status !== undefined) out.status_code = status;
  if (typeof e.stack === "string" && opts?.stack !== false) out.stack = e.stack;
  return out;
}

/**
 * The error of a record read from disk, whatever shape an older writer gave it: a string
 * (timings), `{name, message}` with a top-level `status_code` (round-1 client wrappers),
 * `{name, message, stack}`. Undefined when the record has none.
 *
 * @example
 * errorOf({ error: "rate limited" });                                   // { name: "Error", message: "rate limited" }
 * errorOf({ error: { name: "RateLimitError", message: "…" }, status_code: 429 }).status_code; // 429
 */
export function errorOf(r: Record<string, unknown>): RecordError | undefined {
  const e = r.error;
  if (e === undefined || e === null || e === false || e === "") return undefined;
  let out: RecordError;
  if (typeof e === "string") out = { name: "Error", message: e };
  else if (typeof e === "object" && !Array.isArray(e)) {
    const o = e as Record<string, unknown>;
    out = { name: typeof o.name === "string" ? o.name : "Error", message: typeof o.message === "string" ? o.message : safeStringify(e) };
    if (typeof o.status_code === "number") out.status_code = o.status_code;
    if (typeof o.stack === "string") out.stack = o.stack;
  } else out = { name: "Error", message: safeStringify(e) };
  if (out.status_code === undefined && typeof r.status_code === "number") out.status_code = r.status_code;
  return out;
}

/**
 * True when an llm_call, case_result or timing record carries an error.
 *
 * @example
 * hasError({ error: "rate limited" }); // true
 */
export function hasError(r: Record<string, unknown>): boolean {
  const e = r.error;
  return e !== undefined && e !== null && e !== false && e !== "";
}

// ---- llm_call ----------------------------------------------------------------------

/** What a writer knows about one LLM call; `llmCallFields` makes the record's fields from it. */
export interface LlmCallParts {
  model: string;
  input?: unknown;
  output?: unknown;
  durationMs: number;
  spanId: string;
  parentSpanId?: string;
  /** Any usage shape (OpenAI, Anthropic, AI SDK, ours); normalised, or kept as given when unknown. */
  usage?: unknown;
  prompts?: PromptRef[];
  /** undefined: not written; null: written as unknown. */
  costUsd?: number | null;
  /** What was thrown, as thrown (undefined or null: see `failed`). */
  error?: unknown;
  /** The call failed even though `error` is undefined or null (`throw undefined`). */
  failed?: boolean;
  /** Fields written after the standard ones, in order; undefined values are left out. */
  extra?: Partial<LlmCallFields> & Record<string, unknown>;
  /** Keys of `extra` not to write (the caller's own names for standard fields). */
  skip?: ReadonlySet<string>;
}

/** Durations to the microsecond: more digits are noise and cost bytes on every line. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * The fields of an `llm_call` event, the one builder every writer uses (`run.logLlmCall`,
 * `llmCall`, the client wrappers). The field order on disk is fixed here. `into` (the hot
 * path's record, its base fields already set) receives the fields instead of a new object.
 *
 * @example
 * run.logEvent("llm_call", llmCallFields({ model: "gpt-4o", input: "hi", output: "hello", durationMs: 420, spanId }));
 */
export function llmCallFields(p: LlmCallParts, into?: Record<string, unknown>): LlmCallFields {
  const r = (into ?? {}) as unknown as LlmCallFields;
  r.model = p.model;
  r.input = p.input;
  r.output = p.output;
  r.duration_ms = p.durationMs;
  r.span_id = p.spanId;
  if (p.parentSpanId !== undefined) r.parent_span_id = p.parentSpanId;
  if (p.usage !== undefined && p.usage !== null) {
    const usage = normalizeUsage(p.usage);
    // A shape we do not know is kept as given rather than lost.
    r.usage = usage ?? (p.usage as Usage);
  }
  if (p.prompts !== undefined) r.prompts = p.prompts;
  if (p.costUsd !== undefined) r.cost_usd = p.costUsd;
  if ((p.error !== undefined && p.error !== null) || p.failed === true) {
    r.error = describeError(p.error);
    if (r.error.status_code !== undefined) r.status_code = r.error.status_code;
  }
  const extra = p.extra;
  if (extra) {
    const out = r as unknown as Record<string, unknown>;
    const skip = p.skip;
    for (const key in extra) {
      const value = extra[key];
      if (value === undefined || (skip !== undefined && skip.has(key)) || !Object.hasOwn(extra, key) || Object.hasOwn(out, key)) continue;
      // `__proto__` from user data stays a plain field, never the prototype.
      if (key === "__proto__") setLastValue(out, key, value);
      else out[key] = value;
    }
  }
  return r;
}

// ---- metrics: the one "last value" rule -----------------------------------------------

/**
 * Records `value` as the last value of metric `name` in `target`: the value of the last
 * record of a name in the order written wins, whatever its type; names stay plain own keys
 * (`__proto__` included). Every "last value" (run.json `metrics_summary`, `show`, the
 * OTLP root span) goes through here.
 *
 * @example
 * const last = {}; setLastValue(last, "loss", 0.5); setLastValue(last, "loss", 0.3); // { loss: 0.3 }
 */
export function setLastValue(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Folds metric records into the last value of each name (bad records, without a string
 * name, are ignored).
 *
 * @example
 * const l = new LastValues(); l.add({ name: "acc", value: 0.8 }); l.add({ name: "acc", value: 0.9 }); l.values; // { acc: 0.9 }
 */
export class LastValues {
  readonly values: Record<string, unknown> = {};
  add(r: OnDisk<MetricRecord>): void {
    if (typeof r.name === "string") setLastValue(this.values, r.name, r.value);
  }
}
