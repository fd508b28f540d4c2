/**
 * Sending spans with the official OpenTelemetry exporters (@opentelemetry/exporter-trace-
 * otlp-proto for http/protobuf, -otlp-http for http/json): they serialize, compress, retry
 * a slow or 503 collector with backoff within the timeout. Loaded on first use only, so the
 * library and the other commands never pay for them.
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Resource } from "@opentelemetry/resources";
import type { SpanContext, HrTime, Link, SpanKind, SpanStatus, Attributes as OtelAttributes } from "@opentelemetry/api";
import type { InstrumentationScope } from "@opentelemetry/core";
import { ExportFailed } from "../core/errors";
import { VERSION } from "../core/version";
import type { OtlpSettings } from "./config";
import type { SpanEvent, TraceSpan } from "./mapping";

const SCOPE: InstrumentationScope = { name: "scryptorum", version: VERSION };

/** Epoch milliseconds (with fractions) as [seconds, nanoseconds]. */
export function hrTime(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  const ns = Math.round((ms - s * 1000) * 1e6);
  return ns >= 1e9 ? [s + 1, ns - 1e9] : [s, ns];
}

/** A TraceSpan as the SDK's ReadableSpan, which the exporters take. */
class RecordedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: OtelAttributes;
  readonly links: Link[] = [];
  readonly events: { name: string; time: HrTime; attributes?: OtelAttributes; droppedAttributesCount?: number }[];
  readonly ended = true;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly context: SpanContext;

  constructor(s: TraceSpan, readonly resource: Resource, readonly instrumentationScope: InstrumentationScope) {
    this.name = s.name;
    this.kind = s.kind as SpanKind;
    this.context = { traceId: s.traceId, spanId: s.spanId, traceFlags: 1 };
    if (s.parentSpanId !== undefined) this.parentSpanContext = { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1 };
    this.startTime = hrTime(s.startMs);
    this.endTime = hrTime(Math.max(s.startMs, s.endMs));
    this.duration = hrTime(Math.max(0, s.endMs - s.startMs));
    this.status = s.status as SpanStatus;
    this.attributes = s.attributes;
    this.events = s.events.map((e: SpanEvent) => ({ name: e.name, time: hrTime(e.timeMs), attributes: e.attributes }));
  }

  spanContext(): SpanContext {
    return this.context;
  }
}

export interface SpanEncoder {
  /** The spans as the exporter takes them (for the benchmark's baseline). */
  readable(spans: readonly TraceSpan[]): ReadableSpan[];
  /** The request body the official serializer makes of the spans, and its content type. */
  encode(spans: readonly TraceSpan[]): { body: Uint8Array; contentType: string };
}

/** Batches sent as they come, a few requests in flight. */
export interface SpanPipeline {
  /** Starts sending a batch; resolves once there is room for the next. Rejects with the first failure. */
  push(spans: readonly TraceSpan[]): Promise<void>;
  /** Waits for every request; rejects with the first failure. */
  finish(): Promise<void>;
}

export interface SpanSender extends SpanEncoder {
  /** Sends spans; rejects with ExportFailed when the collector refuses them or cannot be reached in time. */
  send(spans: readonly TraceSpan[]): Promise<void>;
  pipeline(): SpanPipeline;
  shutdown(): Promise<void>;
}

/** Spans per request: large enough to amortise a request, small enough for a collector's size limit. */
export const BATCH = 1000;

/**
 * The resource, the ReadableSpan adapter and the official serializer for `settings`;
 * `serviceName` is the default `service.name` (the project's).
 */
export async function createEncoder(settings: OtlpSettings, serviceName: string): Promise<SpanEncoder> {
  const json = settings.protocol === "http/json";
  const [{ resourceFromAttributes }, transformer] = await Promise.all([import("@opentelemetry/resources"), import("@opentelemetry/otlp-transformer")]);
  const resource = resourceFromAttributes({
    "service.name": settings.serviceName ?? serviceName,
    "telemetry.sdk.name": "scryptorum",
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.version": VERSION,
    ...settings.resourceAttributes,
    ...(settings.serviceName ? { "service.name": settings.serviceName } : {}),
  });
  const readable = (spans: readonly TraceSpan[]) => spans.map((s) => new RecordedSpan(s, resource, SCOPE));
  const serializer = json ? transformer.JsonTraceSerializer : transformer.ProtobufTraceSerializer;
  return {
    readable,
    encode: (spans) => ({ body: serializer.serializeRequest(readable(spans)) ?? new Uint8Array(0), contentType: json ? "application/json" : "application/x-protobuf" }),
  };
}

/**
 * An exporter for `settings`, sending with the official OTLP exporter.
 *
 * @example
 * const sender = await createSender(otlpSettings({ endpoint }), "demo");
 * await sender.send(readRunTrace(dir));
 */
export async function createSender(settings: OtlpSettings, serviceName: string): Promise<SpanSender> {
  const [encoder, exporterModule] = await Promise.all([
    createEncoder(settings, serviceName),
    settings.protocol === "http/json" ? import("@opentelemetry/exporter-trace-otlp-http") : import("@opentelemetry/exporter-trace-otlp-proto"),
  ]);
  const exporter = new exporterModule.OTLPTraceExporter({ url: settings.url, headers: settings.headers, timeoutMillis: settings.timeoutMs });
  const exportOnce = (batch: ReadableSpan[]) =>
    new Promise<void>((resolve, reject) => {
      exporter.export(batch, (result) => {
        if (result.code === 0) resolve();
        else reject(new ExportFailed(`the collector at ${settings.url} did not take the spans: ${describe(result.error)}`, { cause: result.error }));
      });
    });
  const pipeline = (): SpanPipeline => {
    // A few requests in flight: reading and serializing the next batch overlaps with sending this one.
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    return {
      async push(spans) {
        if (failure !== undefined) throw failure;
        for (let i = 0; i < spans.length; i += BATCH) {
          const p = exportOnce(encoder.readable(i === 0 && spans.length <= BATCH ? spans : spans.slice(i, i + BATCH))).catch((e) => {
            failure ??= e;
          });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
          if (inFlight.size >= 4) await Promise.race(inFlight);
          if (failure !== undefined) throw failure;
        }
      },
      async finish() {
        await Promise.all(inFlight);
        if (failure !== undefined) throw failure;
      },
    };
  };
  return {
    ...encoder,
    pipeline,
    async send(spans) {
      const p = pipeline();
      await p.push(spans);
      await p.finish();
    },
    shutdown: () => exporter.shutdown(),
  };
}

function describe(error: unknown): string {
  if (!error) return "no answer";
  const e = error as { code?: unknown; message?: string; data?: unknown };
  const status = typeof e.code === "number" ? `HTTP ${e.code}` : "";
  const message = e.message && e.message !== "undefined" ? e.message : "";
  const code = typeof e.code === "string" ? e.code : "";
  return [status, message, code && !message.includes(code) ? code : ""].filter(Boolean).join(" ") || String(error);
}
