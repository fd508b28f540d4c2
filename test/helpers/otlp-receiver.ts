/**
 * A loopback OTLP/HTTP trace receiver for tests: decodes what arrives, protobuf with the
 * official generated OTLP definitions (the opentelemetry-proto messages as compiled by
 * protobufjs in @opentelemetry/otlp-transformer 0.57) and JSON as the OTLP/JSON mapping,
 * into one plain shape. It can answer 503 a number of times, or slowly.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { opentelemetry } = require("otlp-proto-generated/build/src/generated/root.js");
const ExportTraceServiceRequest = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

export type Value = string | number | boolean | Value[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's kind: 1 INTERNAL, 3 CLIENT. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, Value>;
  events: { name: string; timeNs: bigint; attributes: Record<string, Value> }[];
  status: { code: number; message: string };
  scope: string;
  resource: Record<string, Value>;
}

export interface ReceivedRequest {
  contentType: string;
  headers: Record<string, string>;
  spans: ReceivedSpan[];
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  /** Answers the next `n` requests with 503 (and then 200 again). */
  fail(n: number, status?: number): void;
  /** Waits this long before each answer (before the next `times` answers only, when given). */
  delay(ms: number, times?: number): void;
  /** Requests received and not answered yet. */
  busy: number;
  /** Requests answered with an error so far. */
  refused: number;
  reset(): void;
  stop(): void;
}

const hex = (b: Uint8Array | string | undefined | null): string => {
  if (!b) return "";
  if (typeof b === "string") return b;
  return Buffer.from(b).toString("hex");
};

function anyValue(v: any): Value {
  if (!v) return null;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return null;
}

function attrs(list: any[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const ns = (v: unknown): bigint => BigInt(typeof v === "object" && v !== null && "low" in (v as any) ? (v as any).toString() : String(v ?? 0));

function flatten(request: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: Number(s.kind ?? 0),
          startNs: ns(s.startTimeUnixNano),
          endNs: ns(s.endTimeUnixNano),
          attributes: attrs(s.attributes),
          events: (s.events ?? []).map((e: any) => ({ name: e.name, timeNs: ns(e.timeUnixNano), attributes: attrs(e.attributes) })),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message ?? "" },
          scope: ss.scope?.name ?? "",
          resource,
        });
      }
    }
  }
  return out;
}

/** Decodes an OTLP/HTTP trace request body. */
export function decodeTraces(body: Uint8Array, contentType: string): ReceivedSpan[] {
  if (contentType.includes("json")) return flatten(JSON.parse(new TextDecoder().decode(body)));
  const message = ExportTraceServiceRequest.decode(body);
  return flatten(ExportTraceServiceRequest.toObject(message, { longs: String }));
}

export function startReceiver(): Receiver {
  let failNext = 0;
  let failStatus = 503;
  let delayMs = 0;
  let delayTimes = Infinity;
  const r: Receiver = {
    url: "",
    requests: [],
    refused: 0,
    busy: 0,
    spans: () => r.requests.flatMap((q) => q.spans),
    fail(n, status = 503) {
      failNext = n;
      failStatus = status;
    },
    delay(ms, times = Infinity) {
      delayMs = ms;
      delayTimes = times;
    },
    reset() {
      r.requests.length = 0;
      r.refused = 0;
      failNext = 0;
      delayMs = 0;
      delayTimes = Infinity;
    },
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      r.busy++;
      try {
        return await answer(req);
      } finally {
        r.busy--;
      }
    },
  });
  async function answer(req: Request): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    if (delayMs > 0 && delayTimes > 0) {
      delayTimes--;
      await Bun.sleep(delayMs);
    }
    if (new URL(req.url).pathname !== "/v1/traces") return new Response("not found", { status: 404 });
    if (failNext > 0) {
      failNext--;
      r.refused++;
      return new Response("unavailable", { status: failStatus });
    }
    const contentType = req.headers.get("content-type") ?? "";
    r.requests.push({ contentType, headers: Object.fromEntries(req.headers), spans: decodeTraces(body, contentType) });
    return contentType.includes("json")
      ? Response.json({})
      : new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } });
  }
  r.url = `http://127.0.0.1:${server.port}`;
  return r;
}
