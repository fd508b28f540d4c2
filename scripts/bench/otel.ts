/**
 * OpenTelemetry export.
 *   live: run.logLlmCall and an llmCall-wrapped call with the live-export plugin on, minus
 *     the same without it, interleaved rounds in one run (target: at most 0.5 µs more per
 *     llm_call on the logging call); the deferred mapping and encoding per span, for information.
 *   batch: `export --format otlp` of a run of 100,000 LLM calls (read, map, encode, send)
 *     against the official exporter fed the same spans pre-built by the SDK (the floor),
 *     to one collector in another process (target: within 1.5x of the floor).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, trace, type SpanKind } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { Experiment, Project, llmCall, registry } from "../../src/index";
import { withRun } from "../../src/tracking/context";
import { otlpSettings } from "../../src/otel/config";
import { otlpLivePlugin } from "../../src/otel/live";
import { exportOtlp } from "../../src/otel/export";
import { readRunTrace } from "../../src/otel/read";
import { TraceBuilder } from "../../src/otel/mapping";
import { createEncoder, hrTime } from "../../src/otel/send";
import { median, report } from "./harness";

/** A collector in its own process: reads each request whole and answers 200. */
async function startCollector(): Promise<{ url: string; stop(): void }> {
  const proc = Bun.spawn([process.execPath, "-e", `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, async fetch(r) { await r.arrayBuffer(); return new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } }); } }); console.log(s.port);`], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const { value } = await reader.read();
  const port = Number(new TextDecoder().decode(value).trim());
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill() };
}

export async function benchOtel(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-otel-"));
  const collector = await startCollector();
  try {
    const project = Project.init(dir, { name: "bench", gitignore: false });
    // BENCH_OTEL=live or =batch runs one half.
    if (process.env.BENCH_OTEL !== "batch") await benchLive(project, collector.url);
    if (process.env.BENCH_OTEL !== "live") await benchBatch(project, collector.url);
  } finally {
    collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchLive(project: Project, url: string): Promise<void> {
  const run = new Experiment(project, "live").createRun("trial");
  const plugin = await otlpLivePlugin(otlpSettings({ endpoint: url }, {}), "bench", { report: () => {} });
  const input = "q".repeat(480);
  const output = "a".repeat(480);
  const usage = { prompt_tokens: 120, completion_tokens: 120, total_tokens: 240 };
  const ask = llmCall({ model: "gpt-4o-mini", name: "ask" })((q: string) => output + q.length);
  const N = 5000;
  const ops = {
    logLlmCall: (i: number) => run.logLlmCall({ model: "gpt-4o-mini", input, output, durationMs: i, usage }),
    llmCallWrapper: () => void ask(input),
  };
  const samples: Record<string, { off: number[]; on: number[] }> = { logLlmCall: { off: [], on: [] }, llmCallWrapper: { off: [], on: [] } };
  const time = (fn: (i: number) => void) => {
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < N; i++) fn(i);
    return (Bun.nanoseconds() - t0) / N;
  };
  await withRun(run, async () => {
    for (let round = 0; round < 12; round++) {
      for (const [name, fn] of Object.entries(ops)) {
        // Alternate which goes first, so that neither always follows the exporter's catch-up.
        let off: number;
        let on: number;
        if (round % 2 === 0) {
          off = time(fn);
          registry.register(plugin);
          on = time(fn);
          registry.unregister("scryptorum:otlp");
        } else {
          registry.register(plugin);
          on = time(fn);
          registry.unregister("scryptorum:otlp");
          off = time(fn);
        }
        // Let the exporter send what was queued before the next round (it runs between rounds, as between calls).
        for (let w = 0; w < 500 && plugin.backlog(run) > 0; w++) await Bun.sleep(10);
        if (round > 1) {
          samples[name]!.off.push(off);
          samples[name]!.on.push(on);
        }
      }
    }
  });
  for (const [name, s] of Object.entries(samples)) {
    const off = median(s.off);
    const on = median(s.on);
    report({ name: `${name}, live export off`, value: off, unit: "ns/op" });
    report({ name: `${name}, live export on (added)`, value: on - off, unit: "ns/op", ratio: on / off, baseline: "off", target: "<= 500 ns added", ok: on - off <= 500 });
  }
  registry.register(plugin);
  run.finish();
  registry.unregister("scryptorum:otlp");
  for (let w = 0; w < 500 && plugin.backlog(run) > 0; w++) await Bun.sleep(10);

  // The deferred work, in the exporter's timer: mapping a record to a span and encoding it.
  const builder = new TraceBuilder({ project: "bench", experiment: "live", run_id: "x", started_at: new Date().toISOString() });
  const encoder = await createEncoder(otlpSettings({ endpoint: url }, {}), "bench");
  const record = { timestamp: new Date().toISOString(), run_id: "x", event_type: "llm_call", model: "gpt-4o-mini", input, output, duration_ms: 420, span_id: "ab12cd34-1", usage: { input_tokens: 120, output_tokens: 120, total_tokens: 240 }, cost_usd: 0.0001 };
  const deferred: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = Bun.nanoseconds();
    for (let b = 0; b < 20; b++) {
      const spans = [];
      for (let i = 0; i < 512; i++) spans.push(builder.llmSpan({ ...record, span_id: `ab12cd34-${b}-${i}` }));
      encoder.encode(spans);
    }
    deferred.push((Bun.nanoseconds() - t0) / (20 * 512));
  }
  report({ name: "live export: map + encode per span (timer, not in the call)", value: median(deferred), unit: "ns/span" });
}

async function benchBatch(project: Project, url: string): Promise<void> {
  const CALLS = 100_000;
  const exp = new Experiment(project, "batch");
  const run = exp.createRun("milestone", "big");
  const usage = { input_tokens: 350, output_tokens: 80, total_tokens: 430, cached_tokens: 100 };
  const params = { temperature: 0.2, max_tokens: 256 };
  withRun(run, () => {
    for (let i = 0; i < CALLS; i++) {
      run.logLlmCall({ model: "gpt-4o-mini", input: `question ${i}`, output: `answer ${i}`, durationMs: 200 + (i % 50), usage, costUsd: 0.0001, provider: "openai", api: "chat.completions", response_model: "gpt-4o-mini-2024-07-18", response_id: `chatcmpl-${i}`, finish_reason: "stop", params });
    }
  });
  run.finish();
  const ref = { project, name: "batch", dir: join(project.root, "experiments", "batch") };

  // The floor: the same spans, pre-built by the SDK, handed to the official exporter. Built
  // afresh before each of its rounds (untimed) and dropped after, so that neither variant
  // runs with the other's 100,000 spans alive on the heap (the garbage collector would trace
  // them on every collection).
  const prebuild = (): ReadableSpan[] => {
    const mapped = readRunTrace(run.dir);
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer("scryptorum");
    const root = tracer.startSpan(mapped[0]!.name, { attributes: mapped[0]!.attributes, startTime: hrTime(mapped[0]!.startMs) });
    const parent = trace.setSpan(context.active(), root);
    for (const s of mapped.slice(1)) {
      const span = tracer.startSpan(s.name, { kind: s.kind as SpanKind, attributes: s.attributes, startTime: hrTime(s.startMs) }, parent);
      span.setStatus(s.status);
      span.end(hrTime(s.endMs));
    }
    root.end(hrTime(mapped[0]!.endMs));
    return memory.getFinishedSpans();
  };
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  let prebuilt: ReadableSpan[] = [];
  const official = async () => {
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < prebuilt.length; i += 1000) {
      const p = new Promise<void>((resolve, reject) => exporter.export(prebuilt.slice(i, i + 1000), (r) => (r.code === 0 ? resolve() : reject(r.error))));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };
  const ours = async () => {
    const r = await exportOtlp(ref as never, ["big"], { endpoint: url }, {});
    if (r.spans !== CALLS + 1) throw new Error(`exported ${r.spans} spans, expected ${CALLS + 1}`);
  };
  const t = { official: [] as number[], ours: [] as number[] };
  for (let round = 0; round < 5; round++) {
    for (const [name, fn] of [["official", official], ["ours", ours]] as const) {
      if (name === "official") prebuilt = prebuild();
      Bun.gc(true);
      const t0 = performance.now();
      await fn();
      if (round > 0) t[name].push(performance.now() - t0);
      prebuilt = [];
    }
  }
  await exporter.shutdown();
  const floor = median(t.official);
  const mine = median(t.ours);
  report({ name: `official exporter, ${CALLS} pre-built spans (floor)`, value: (CALLS / floor) * 1000, unit: "spans/s" });
  report({ name: `export --format otlp, run of ${CALLS} LLM calls`, value: (CALLS / mine) * 1000, unit: "spans/s", ratio: mine / floor, baseline: "floor (time)", target: "<= 1.5x floor", ok: mine / floor <= 1.5 });
}
