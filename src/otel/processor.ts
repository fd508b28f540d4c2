/**
 * The other way round: spans that OpenTelemetry instrumentations make (the OpenAI and
 * Anthropic OTel instrumentations, the AI SDK's `experimental_telemetry`, your own
 * `tracer.startActiveSpan`) land in the current scryptorum run. A span with a GenAI model
 * (`gen_ai.request.model`) becomes an `llm_call` event; any other span a timing. Its span
 * id is the OTel span id, its parent the OTel parent when that span was recorded too, else
 * the scryptorum span it started in. Spans started outside a run are left alone.
 */
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Run } from "../core/run";
import { currentContext } from "../tracking/context";
import { estimateCost } from "../prices";

type Attrs = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const json = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};
const ms = (t: readonly [number, number]): number => Math.round((t[0] * 1e3 + t[1] / 1e6) * 1000) / 1000;

/** GenAI request attributes -> the `params` the wrappers log. */
const PARAMS: [string, string][] = [
  ["gen_ai.request.temperature", "temperature"],
  ["gen_ai.request.max_tokens", "max_tokens"],
  ["gen_ai.request.top_p", "top_p"],
  ["gen_ai.request.top_k", "top_k"],
  ["gen_ai.request.frequency_penalty", "frequency_penalty"],
  ["gen_ai.request.presence_penalty", "presence_penalty"],
  ["gen_ai.request.seed", "seed"],
  ["gen_ai.request.stop_sequences", "stop"],
];

/**
 * The `llm_call` fields of a GenAI span (without span ids and duration).
 *
 * @example
 * llmCallOf({ "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 }, "chat gpt-4o");
 */
export function llmCallOf(a: Attrs, name: string): Record<string, unknown> {
  const model = String(a["gen_ai.request.model"]);
  const call: Record<string, unknown> = { model };
  const input = a["gen_ai.input.messages"] ?? a["ai.prompt.messages"] ?? a["gen_ai.prompt"] ?? a["ai.prompt"];
  const output = a["gen_ai.output.messages"] ?? a["ai.response.text"] ?? a["gen_ai.completion"] ?? a["ai.response.object"];
  call.input = input === undefined ? undefined : json(input);
  call.output = output === undefined ? undefined : json(output);
  const i = num(a["gen_ai.usage.input_tokens"]) ?? num(a["gen_ai.usage.prompt_tokens"]);
  const o = num(a["gen_ai.usage.output_tokens"]) ?? num(a["gen_ai.usage.completion_tokens"]);
  if (i !== undefined || o !== undefined) {
    const usage: Record<string, number> = { input_tokens: i ?? 0, output_tokens: o ?? 0, total_tokens: (i ?? 0) + (o ?? 0) };
    const cached = num(a["gen_ai.usage.cache_read.input_tokens"]);
    const created = num(a["gen_ai.usage.cache_creation.input_tokens"]);
    const reasoning = num(a["gen_ai.usage.reasoning.output_tokens"]);
    if (cached !== undefined) usage.cached_tokens = cached;
    if (created !== undefined) usage.cache_creation_tokens = created;
    if (reasoning !== undefined) usage.reasoning_tokens = reasoning;
    call.usage = usage;
    const responseModel = str(a["gen_ai.response.model"]);
    call.cost_usd = num(a["gen_ai.usage.cost"]) ?? estimateCost(responseModel ?? model, usage) ?? estimateCost(model, usage);
  }
  const provider = str(a["gen_ai.provider.name"]) ?? str(a["gen_ai.system"]);
  if (provider) call.provider = provider;
  const operation = str(a["gen_ai.operation.name"]);
  if (operation) call.operation = operation;
  const responseModel = str(a["gen_ai.response.model"]);
  if (responseModel && responseModel !== model) call.response_model = responseModel;
  const id = str(a["gen_ai.response.id"]);
  if (id) call.response_id = id;
  const finish = a["gen_ai.response.finish_reasons"];
  if (Array.isArray(finish) && finish.length > 0) call.finish_reason = finish.length === 1 ? finish[0] : finish;
  const params: Record<string, unknown> = {};
  for (const [attr, key] of PARAMS) if (a[attr] !== undefined) params[key] = a[attr];
  if (Object.keys(params).length > 0) call.params = params;
  call.otel_span = name;
  return call;
}

interface Started {
  run: Run;
  /** The scryptorum span the OTel span started in. */
  parent?: string;
}

/**
 * A span processor that records OpenTelemetry spans in the current run. Add it to your
 * tracer provider; spans outside a run pass by untouched.
 *
 * @example
 * import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
 * const provider = new BasicTracerProvider({ spanProcessors: [scryptorumSpanProcessor()] });
 * await generateText({ model, prompt, experimental_telemetry: { isEnabled: true, tracer: provider.getTracer("ai") } });
 */
export function scryptorumSpanProcessor(): SpanProcessor {
  const started = new Map<string, Started>();
  return {
    onStart(span: Span, _parent: Context): void {
      const ctx = currentContext();
      if (ctx === undefined) return;
      started.set(span.spanContext().spanId, { run: ctx.run, parent: ctx.spanId });
    },
    onEnd(span: ReadableSpan): void {
      const id = span.spanContext().spanId;
      const s = started.get(id);
      if (s === undefined) return;
      started.delete(id);
      try {
        const otelParent = span.parentSpanContext?.spanId;
        // The OTel parent when it is recorded in this run (it may still be open), else where the span started.
        const parent = otelParent !== undefined && (started.get(otelParent)?.run === s.run || recorded.has(otelParent)) ? otelParent : s.parent;
        const extra: Record<string, unknown> = { span_id: id };
        if (parent !== undefined) extra.parent_span_id = parent;
        const a = span.attributes as Attrs;
        const durationMs = ms(span.duration);
        const failed = span.status.code === 2;
        const error = failed ? { name: str(a["error.type"]) ?? "Error", message: span.status.message ?? "" } : undefined;
        if (a["gen_ai.request.model"] !== undefined) {
          const call = llmCallOf(a, span.name);
          if (error) call.error = error;
          s.run.logLlmCall({ ...call, model: call.model as string, durationMs, ...extra });
        } else {
          if (error) extra.error = error.message || error.name;
          s.run.logTiming(span.name, durationMs, extra);
        }
        remember(id);
      } catch (error) {
        process.stderr.write(`scryptorum: could not record OpenTelemetry span "${span.name}": ${(error as Error).message}\n`);
      }
    },
    forceFlush: async () => {},
    shutdown: async () => {
      started.clear();
    },
  };
}

// Span ids recorded lately: a parent that ended before its child (a stream read after its span closed) still links.
const recorded = new Set<string>();
function remember(id: string): void {
  recorded.add(id);
  if (recorded.size > 10_000) recorded.delete(recorded.values().next().value!);
}
