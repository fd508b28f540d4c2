/**
 * A run as an OpenTelemetry trace, following the GenAI semantic conventions (v1.41): the run
 * is the root span `invoke_workflow <experiment>`, each `llm_call` a CLIENT span
 * `<operation> <model>` (the timing `llmCall` writes for the same call is that span, not
 * another), each timing an INTERNAL span named after its operation, metrics and user
 * events are events of the root span. Pure: records in, plain span objects out.
 */
import { caseKeyOf } from "../read/records";
import { errorOf, EventType, setLastValue } from "../core/records";
import { inputMessages, outputMessages, systemInstructions } from "./content";
import { spanIdOf, traceIdOf } from "./ids";

export type AttrValue = string | number | boolean | string[] | number[] | boolean[];
export type Attributes = Record<string, AttrValue>;

/** `SpanKind` of @opentelemetry/api. */
export const SPAN_KIND = { INTERNAL: 0, CLIENT: 2 } as const;
/** `SpanStatusCode` of @opentelemetry/api. */
export const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

/** One span, times in epoch milliseconds (fractions kept to the microsecond). */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: SpanEvent[];
  status: { code: number; message?: string };
}

/** What the root span says about the run (run.json, environment.json's git). */
export interface RunInfo {
  project: string;
  experiment: string;
  run_id: string;
  run_type: string;
  /** As readers report it: `crashed` included. */
  status: string;
  started_at: string;
  finished_at?: string | null;
  tags?: string[];
  note?: string | null;
  config?: Record<string, unknown>;
  error?: { name?: string; message?: string } | null;
  git?: { commit?: string | null; branch?: string | null; dirty?: boolean | null } | null;
}

export interface MappingOptions {
  /** Prompts, outputs and system instructions as `gen_ai.*.messages` (default: left out). */
  includeContent?: boolean;
}

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A value as an attribute: primitives as they are, homogeneous primitive arrays too, the rest as JSON. */
export function attrValue(v: unknown): AttrValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v) && v.length > 0) {
    const t = typeof v[0];
    if ((t === "string" || t === "number" || t === "boolean") && v.every((x) => typeof x === t)) return v as AttrValue;
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const end = (r: Rec): number => {
  const t = typeof r.timestamp === "string" ? Date.parse(r.timestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
};
const durationOf = (r: Rec): number => Math.max(0, num(r.duration_ms) ?? 0);

/** `gen_ai.provider.name` values for what the wrappers log as `provider`. */
const PROVIDERS: Record<string, string> = {
  openai: "openai", anthropic: "anthropic", google: "gcp.gemini", "google-vertex": "gcp.vertex_ai", vertex: "gcp.vertex_ai",
  azure: "azure.ai.openai", "amazon-bedrock": "aws.bedrock", bedrock: "aws.bedrock", mistral: "mistral_ai", groq: "groq",
  deepseek: "deepseek", xai: "x_ai", cohere: "cohere", perplexity: "perplexity",
};

/** The provider of a call: the wrapper's, else guessed from well-known model names. */
export function providerOf(r: Rec): string | undefined {
  const p = str(r.provider);
  if (p) return PROVIDERS[p.toLowerCase()] ?? p;
  const model = String(r.model ?? "").toLowerCase();
  if (/^(gpt-|o\d|chatgpt|text-embedding|davinci|babbage|whisper|tts-|dall-e|omni-moderation)/.test(model)) return "openai";
  if (model.startsWith("claude")) return "anthropic";
  if (model.startsWith("gemini")) return "gcp.gemini";
  if (/^(mistral|mixtral|codestral|ministral)/.test(model)) return "mistral_ai";
  return undefined;
}

const OPERATIONS = new Map<unknown, string>();

/** `gen_ai.operation.name` of a call: its own `operation` field, else from the API the wrapper used. */
export function operationOf(r: Rec): string {
  const own = str(r.operation);
  if (own) return own;
  let op = OPERATIONS.get(r.api);
  if (op === undefined) {
    const api = String(r.api ?? "").toLowerCase();
    op = api.includes("embedding") ? "embeddings" : api === "completions" || api.endsWith(".completion") ? "text_completion" : "chat";
    if (OPERATIONS.size < 1000) OPERATIONS.set(r.api, op);
  }
  return op;
}

/** Request parameters as logged by the wrappers (OpenAI, Anthropic and AI SDK names) -> `gen_ai.request.*`. */
const PARAMS: [string, string[]][] = [
  ["gen_ai.request.temperature", ["temperature"]],
  ["gen_ai.request.max_tokens", ["max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "maxTokens"]],
  ["gen_ai.request.top_p", ["top_p", "topP"]],
  ["gen_ai.request.top_k", ["top_k", "topK"]],
  ["gen_ai.request.frequency_penalty", ["frequency_penalty", "frequencyPenalty"]],
  ["gen_ai.request.presence_penalty", ["presence_penalty", "presencePenalty"]],
  ["gen_ai.request.seed", ["seed"]],
  ["gen_ai.embeddings.dimension.count", ["dimensions"]],
];

function requestAttributes(a: Attributes, params: Rec): void {
  for (const [name, keys] of PARAMS) {
    for (const k of keys) {
      const v = num(params[k]);
      if (v !== undefined) {
        a[name] = v;
        break;
      }
    }
  }
  const stop = params.stop ?? params.stop_sequences ?? params.stopSequences;
  if (typeof stop === "string") a["gen_ai.request.stop_sequences"] = [stop];
  else if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === "string")) a["gen_ai.request.stop_sequences"] = stop as string[];
  const n = num(params.n);
  if (n !== undefined && n !== 1) a["gen_ai.request.choice.count"] = n;
  if (typeof params.encoding_format === "string") a["gen_ai.request.encoding_formats"] = [params.encoding_format];
}


/** The GenAI attributes of an `llm_call` record (no content). */
export function llmAttributes(r: Rec, opts: MappingOptions = {}): Attributes {
  const operation = operationOf(r);
  const a: Attributes = {
    "gen_ai.operation.name": operation,
    "openinference.span.kind": operation === "embeddings" ? "EMBEDDING" : "LLM",
  };
  const provider = providerOf(r);
  if (provider) a["gen_ai.provider.name"] = provider;
  a["gen_ai.request.model"] = String(r.model ?? "");
  const responseModel = str(r.response_model);
  if (responseModel) a["gen_ai.response.model"] = responseModel;
  const params = obj(r.params);
  if (params) requestAttributes(a, params);
  const u = obj(r.usage);
  if (u) {
    const put = (name: string, v: unknown) => {
      const n = num(v);
      if (n !== undefined) a[name] = n;
    };
    put("gen_ai.usage.input_tokens", u.input_tokens);
    put("gen_ai.usage.output_tokens", u.output_tokens);
    put("gen_ai.usage.cache_read.input_tokens", u.cached_tokens);
    put("gen_ai.usage.cache_creation.input_tokens", u.cache_creation_tokens);
    put("gen_ai.usage.reasoning.output_tokens", u.reasoning_tokens);
  }
  const cost = num(r.cost_usd);
  if (cost !== undefined) a["gen_ai.usage.cost"] = cost;
  const id = str(r.response_id);
  if (id) a["gen_ai.response.id"] = id;
  const finish = r.finish_reason;
  if (typeof finish === "string") a["gen_ai.response.finish_reasons"] = [finish];
  else if (Array.isArray(finish) && finish.every((f) => typeof f === "string")) a["gen_ai.response.finish_reasons"] = finish as string[];
  if (num(r.ttft_ms) !== undefined) a["scryptorum.ttft_ms"] = r.ttft_ms as number;
  if (r.stream === true) a["scryptorum.stream"] = true;
  if (typeof r.cache_hit === "boolean") a["scryptorum.cache_hit"] = r.cache_hit;
  if (typeof r.name === "string") a["scryptorum.function"] = r.name;
  const error = errorOf(r);
  if (error) a["error.type"] = error.name;
  if (error?.status_code !== undefined) a["http.response.status_code"] = error.status_code;
  const key = caseKeyOf(r);
  if (key !== null) a["scryptorum.case"] = key;
  if (opts.includeContent) {
    if (r.input !== undefined) a["gen_ai.input.messages"] = JSON.stringify(inputMessages(r.input));
    if (r.output !== undefined && r.output !== null) {
      a["gen_ai.output.messages"] = JSON.stringify(outputMessages(r.output, typeof finish === "string" ? finish : undefined));
    }
    const system = r.system ?? r.instructions;
    if (system !== undefined && system !== null) a["gen_ai.system_instructions"] = JSON.stringify(systemInstructions(system));
  }
  return a;
}

const SKIPPED_EVENTS: ReadonlySet<string> = new Set(["run_started", "run_finished", "run_failed", "run_interrupted", "llm_call"]);
const OWN_FIELDS: ReadonlySet<string> = new Set(["timestamp", "run_id", "event_type"]);
/** Fields of user events that may hold prompts or outputs: sent only with content. */
const CONTENT_FIELDS: ReadonlySet<string> = new Set(["input", "output", "expected", "prompt", "messages", "response", "completion"]);

/**
 * Builds the spans of one run's trace, one record at a time. The live exporter uses it as
 * records are logged; `runTrace` for a finished run.
 *
 * @example
 * const b = new TraceBuilder(info);
 * b.llmSpan({ model: "gpt-4o", duration_ms: 420, span_id: "a-1", timestamp });
 */
export class TraceBuilder {
  readonly traceId: string;
  readonly rootId: string;

  constructor(
    run: Pick<RunInfo, "project" | "experiment" | "run_id" | "started_at">,
    private readonly opts: MappingOptions = {},
  ) {
    this.traceId = traceIdOf(run);
    this.rootId = spanIdOf(this.traceId, null);
  }

  /** The span id of a record's `span_id`. */
  idOf(raw: string): string {
    return spanIdOf(this.traceId, raw);
  }

  private base(r: Rec, name: string, kind: number, parent: string): TraceSpan {
    const endMs = end(r);
    const raw = typeof r.span_id === "string" ? r.span_id : undefined;
    return {
      traceId: this.traceId,
      // A record without a span id (an old log) still gets a stable one: its time and name.
      spanId: raw !== undefined ? this.idOf(raw) : spanIdOf(this.traceId, `${r.timestamp}\u0000${name}\u0000${r.duration_ms}`),
      parentSpanId: parent,
      name,
      kind,
      startMs: endMs - durationOf(r),
      endMs,
      attributes: {},
      events: [],
      status: { code: STATUS.UNSET },
    };
  }

  /** The parent of a record: its `parent_span_id` when `known` says it exists (default: always), else the root. */
  parentOf(r: Rec, known?: (raw: string) => boolean): string {
    const p = r.parent_span_id;
    if (typeof p !== "string" || p === r.span_id || (known && !known(p))) return this.rootId;
    return this.idOf(p);
  }

  /** The CLIENT span of an `llm_call` event. */
  llmSpan(r: Rec, known?: (raw: string) => boolean): TraceSpan {
    const attributes = llmAttributes(r, this.opts);
    const s = this.base(r, `${attributes["gen_ai.operation.name"]} ${r.model ?? ""}`.trim(), SPAN_KIND.CLIENT, this.parentOf(r, known));
    s.attributes = attributes;
    const error = errorOf(r);
    if (error) s.status = { code: STATUS.ERROR, message: error.message };
    return s;
  }

  /** The INTERNAL span of a timing. */
  timingSpan(r: Rec, known?: (raw: string) => boolean): TraceSpan {
    const s = this.base(r, String(r.operation ?? "timing"), SPAN_KIND.INTERNAL, this.parentOf(r, known));
    s.attributes = { "openinference.span.kind": "CHAIN" };
    const error = errorOf(r);
    if (error) {
      s.status = { code: STATUS.ERROR, message: error.message };
      s.attributes["error.type"] = error.name;
    }
    for (const [k, v] of Object.entries(r)) {
      if (k === "timestamp" || k === "run_id" || k === "operation" || k === "duration_ms" || k === "span_id" || k === "parent_span_id" || k === "error") continue;
      const a = attrValue(v);
      if (a !== undefined) s.attributes[`scryptorum.${k}`] = a;
    }
    return s;
  }

  /** A metric as an event of the root span. */
  metricEvent(r: Rec): SpanEvent {
    const attributes: Attributes = { "scryptorum.metric.name": String(r.name) };
    const v = attrValue(r.value);
    if (v !== undefined) attributes["scryptorum.metric.value"] = v;
    if (typeof r.type === "string") attributes["scryptorum.metric.type"] = r.type;
    if (num(r.step) !== undefined) attributes["scryptorum.metric.step"] = r.step as number;
    return { name: "scryptorum.metric", timeMs: end(r), attributes };
  }

  /** A user event of run.jsonl as an event of the root span; null for the library's own. */
  userEvent(r: Rec): SpanEvent | null {
    const type = String(r.event_type ?? "");
    if (type === "" || SKIPPED_EVENTS.has(type)) return null;
    const attributes: Attributes = {};
    for (const [k, v] of Object.entries(r)) {
      if (OWN_FIELDS.has(k) || (!this.opts.includeContent && CONTENT_FIELDS.has(k))) continue;
      const a = attrValue(v);
      if (a !== undefined) attributes[`scryptorum.${k}`] = a;
    }
    return { name: type, timeMs: end(r), attributes };
  }

  /** The root span `invoke_workflow <experiment>`, ending at `endMs` when the run has no end yet. */
  rootSpan(info: RunInfo, opts: { endMs: number; events?: SpanEvent[]; metrics?: Record<string, unknown>; figures?: Record<string, number> }): TraceSpan {
    const startMs = Date.parse(info.started_at);
    const finished = info.finished_at ? Date.parse(info.finished_at) : NaN;
    const a: Attributes = {
      "gen_ai.operation.name": "invoke_workflow",
      "gen_ai.workflow.name": info.experiment,
      "openinference.span.kind": "CHAIN",
      "scryptorum.project": info.project,
      "scryptorum.experiment": info.experiment,
      "scryptorum.run.id": info.run_id,
      "scryptorum.run.type": info.run_type,
      "scryptorum.run.status": info.status,
    };
    if (info.tags && info.tags.length > 0) a["scryptorum.run.tags"] = info.tags;
    if (info.note) a["scryptorum.run.note"] = info.note;
    if (info.git?.commit) a["scryptorum.git.commit"] = info.git.commit;
    if (info.git?.branch) a["scryptorum.git.branch"] = info.git.branch;
    if (typeof info.git?.dirty === "boolean") a["scryptorum.git.dirty"] = info.git.dirty;
    if (info.config && Object.keys(info.config).length > 0) a["scryptorum.config"] = JSON.stringify(info.config);
    for (const [k, v] of Object.entries(opts.figures ?? {})) a[`scryptorum.${k}`] = v;
    for (const [k, v] of Object.entries(opts.metrics ?? {})) {
      const value = attrValue(v);
      if (value !== undefined) a[`scryptorum.metric.${k}`] = value;
    }
    let status: TraceSpan["status"] = { code: STATUS.UNSET };
    if (info.status === "failed" || info.status === "interrupted" || info.status === "crashed") {
      a["error.type"] = info.status === "failed" ? (info.error?.name ?? "Error") : info.status;
      status = { code: STATUS.ERROR, message: info.error?.message ?? `the run was ${info.status}` };
    }
    return {
      traceId: this.traceId,
      spanId: this.rootId,
      name: `invoke_workflow ${info.experiment}`,
      kind: SPAN_KIND.INTERNAL,
      startMs,
      endMs: Number.isNaN(finished) ? Math.max(startMs, opts.endMs) : finished,
      attributes: a,
      events: opts.events ?? [],
      status,
    };
  }
}

/** The records of a run, each list in file order. */
export interface RunRecords {
  events: Iterable<Rec>;
  timings: Iterable<Rec>;
  metrics: Iterable<Rec>;
}

/**
 * Puts a run's trace together one record at a time, so that a large run can be sent while it
 * is read: run.jsonl's records first, then timings.jsonl's, then metrics.jsonl's, then the
 * root span (which needs all of them). A parent counts as in the run when it is a timing
 * (`timingIds`, known before; `llmCall`'s calls have one too); else the span is the root's child.
 *
 * @example
 * const a = new TraceAssembler(info, {}, new Set(timings.map((t) => t.span_id)));
 * const span = a.event(record); // an llm_call's span, or null
 */
export class TraceAssembler {
  readonly builder: TraceBuilder;
  private llmIds = new Set<string>();
  private rootEvents: SpanEvent[] = [];
  private lastMetrics: Record<string, unknown> = {};
  private lastEnd: number;
  private calls = 0;
  private cost = 0;
  private costSeen = false;
  private input = 0;
  private output = 0;
  private readonly known: (raw: string) => boolean;
  private readonly timingIds: ReadonlySet<string>;

  constructor(
    private readonly info: RunInfo,
    opts: MappingOptions,
    timingIds: ReadonlySet<string>,
  ) {
    this.builder = new TraceBuilder(info, opts);
    this.lastEnd = Date.parse(info.started_at);
    this.timingIds = timingIds;
    this.known = (raw) => timingIds.has(raw);
  }

  /** A record of run.jsonl: the span of an llm_call, else null (a user event becomes a root event). */
  event(r: Rec): TraceSpan | null {
    const e = end(r);
    if (e > this.lastEnd) this.lastEnd = e;
    if (r.event_type !== EventType.LLM_CALL) {
      const ev = this.builder.userEvent(r);
      if (ev) this.rootEvents.push(ev);
      return null;
    }
    // Only a call with a timing of the same span (llmCall's) needs remembering: that timing is skipped.
    if (typeof r.span_id === "string" && this.timingIds.has(r.span_id)) this.llmIds.add(r.span_id);
    this.calls++;
    const c = num(r.cost_usd);
    if (c !== undefined) {
      this.cost += c;
      this.costSeen = true;
    }
    const u = obj(r.usage);
    this.input += num(u?.input_tokens) ?? 0;
    this.output += num(u?.output_tokens) ?? 0;
    return this.builder.llmSpan(r, this.known);
  }

  /** A timing's span; null for llmCall's own timing of an LLM call (the call's span already is that span). */
  timing(r: Rec): TraceSpan | null {
    if (typeof r.span_id === "string" && this.llmIds.has(r.span_id)) return null;
    const e = end(r);
    if (e > this.lastEnd) this.lastEnd = e;
    return this.builder.timingSpan(r, this.known);
  }

  /** A metric: an event of the root span, and its last value a root attribute. */
  metric(r: Rec): void {
    this.rootEvents.push(this.builder.metricEvent(r));
    if (typeof r.name === "string") setLastValue(this.lastMetrics, r.name, r.value);
    const e = end(r);
    if (e > this.lastEnd) this.lastEnd = e;
  }

  /** The root span, once every record is in. */
  root(): TraceSpan {
    const figures: Record<string, number> = { "llm.calls": this.calls, "usage.input_tokens": this.input, "usage.output_tokens": this.output };
    if (this.costSeen) figures.cost_usd = Math.round(this.cost * 1e8) / 1e8;
    const events = this.rootEvents.sort((x, y) => x.timeMs - y.timeMs);
    return this.builder.rootSpan(this.info, { endMs: this.lastEnd, events, metrics: this.lastMetrics, figures });
  }
}

/**
 * Every span of a finished (or crashed, or still running) run: the root first, then the
 * LLM calls and timings. A parent that is not in the run makes its children the root's.
 *
 * @example
 * runTrace(info, { events, timings, metrics }).length; // 1 + LLM calls + other timings
 */
export function runTrace(info: RunInfo, records: RunRecords, opts: MappingOptions = {}): TraceSpan[] {
  const timings = [...records.timings];
  const ids = new Set<string>();
  for (const r of timings) if (typeof r.span_id === "string") ids.add(r.span_id);
  const a = new TraceAssembler(info, opts, ids);
  const spans: TraceSpan[] = [];
  for (const r of records.events) {
    const s = a.event(r);
    if (s) spans.push(s);
  }
  for (const r of timings) {
    const s = a.timing(r);
    if (s) spans.push(s);
  }
  for (const r of records.metrics) a.metric(r);
  spans.unshift(a.root());
  return spans;
}
