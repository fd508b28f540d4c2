/**
 * `scryptorum export --format otlp` through the compiled binary, to a loopback receiver that
 * decodes what arrives (protobuf with the official OTLP definitions, and JSON).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";
import { bin, ensureBinary } from "../helpers/cli";
import { readLines, tempProject } from "../helpers/project";
import { startReceiver, type ReceivedSpan, type Receiver } from "../helpers/otlp-receiver";
import { SECRET_PROMPT, SYSTEM, tracedRun } from "./fixture";
import type { Run } from "../../src/core/run";

let providers: FakeProviders;
let receiver: Receiver;
let dir: string;
let run: Run;
let failed: Run;

beforeAll(async () => {
  await ensureBinary();
  providers = startFakeProviders();
  receiver = startReceiver();
  const p = tempProject("otelproj");
  dir = p.dir;
  run = await tracedRun(p.root, providers);
  failed = await tracedRun(p.root, providers, { experiment: "broken", fail: true });
});
afterAll(() => {
  providers.stop();
  receiver.stop();
});
beforeEach(() => receiver.reset());

const OTEL_ENV = { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_HEADERS: undefined, OTEL_EXPORTER_OTLP_PROTOCOL: undefined, OTEL_SERVICE_NAME: undefined, OTEL_RESOURCE_ATTRIBUTES: undefined };
const exportOtlp = (args: string[], env: Record<string, string | undefined> = {}) => bin(["export", "otel", "--format", "otlp", ...args], { cwd: dir, env: { ...OTEL_ENV, ...env } });

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: ReceivedSpan[], name: string) => {
  const found = byName(spans, name);
  expect(found.length).toBe(1);
  return found[0]!;
};

function checkTrace(spans: ReceivedSpan[], service = "otelproj") {
  // One trace: the root, pipeline, retrieve and five LLM calls (llmCall's own timing is its LLM span).
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  expect(spans.map((s) => s.name).sort()).toEqual(["chat claude-sonnet-4-6", "chat gpt-4o", "chat gpt-4o-mini", "chat gpt-4o-mini", "chat rate-limited", "invoke_workflow otel", "pipeline", "retrieve"]);
  const root = one(spans, "invoke_workflow otel");
  const pipeline = one(spans, "pipeline");
  expect(root.parentSpanId).toBe("");
  expect(pipeline.parentSpanId).toBe(root.spanId);
  for (const s of spans) if (s !== root && s !== pipeline) expect(s.parentSpanId).toBe(pipeline.spanId);
  // Kinds (OTLP numbering): INTERNAL 1, CLIENT 3.
  expect([root.kind, pipeline.kind, one(spans, "retrieve").kind]).toEqual([1, 1, 1]);
  for (const s of spans.filter((x) => x.name.startsWith("chat "))) expect(s.kind).toBe(3);
  expect(root.scope).toBe("scryptorum");
  expect(root.resource["service.name"]).toBe(service);
  expect(root.attributes).toMatchObject({
    "gen_ai.operation.name": "invoke_workflow",
    "gen_ai.workflow.name": "otel",
    "openinference.span.kind": "CHAIN",
    "scryptorum.run.id": "trial_run",
    "scryptorum.run.type": "trial",
    "scryptorum.run.status": "finished",
    "scryptorum.metric.accuracy": 0.75,
    "scryptorum.llm.calls": 5,
  });
  expect(root.status.code).toBe(0);
  // Events in time order (the two may share a millisecond).
  expect(root.events.map((e) => e.name).sort()).toEqual(["dataset_loaded", "scryptorum.metric"]);
  expect(root.events.map((e) => e.timeNs)).toEqual(root.events.map((e) => e.timeNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expect(root.events.find((e) => e.name === "scryptorum.metric")!.attributes).toEqual({ "scryptorum.metric.name": "accuracy", "scryptorum.metric.value": 0.75, "scryptorum.metric.type": "accuracy" });

  const [openai, aiSdk] = byName(spans, "chat gpt-4o-mini").sort((a, b) => Number(a.startNs - b.startNs));
  expect(openai!.attributes).toMatchObject({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.request.temperature": 0.2,
    "gen_ai.request.max_tokens": 64,
    "gen_ai.usage.input_tokens": 1200,
    "gen_ai.usage.output_tokens": 300,
    "gen_ai.usage.cache_read.input_tokens": 1000,
    "gen_ai.usage.reasoning.output_tokens": 100,
    "gen_ai.response.id": "chatcmpl-1",
    "gen_ai.response.finish_reasons": ["stop"],
    "openinference.span.kind": "LLM",
  });
  expect(openai!.attributes["gen_ai.usage.cost"]).toBeCloseTo(0.000285, 9);
  expect(aiSdk!.attributes).toMatchObject({ "gen_ai.provider.name": "openai", "gen_ai.request.temperature": 0.5, "gen_ai.response.model": "gpt-4o-mini-2024-07-18" });
  expect(one(spans, "chat claude-sonnet-4-6").attributes).toMatchObject({
    "gen_ai.provider.name": "anthropic",
    "gen_ai.response.model": "claude-sonnet-4-6-20250929",
    "gen_ai.usage.input_tokens": 1300,
    "gen_ai.usage.cache_read.input_tokens": 1000,
    "gen_ai.usage.cache_creation.input_tokens": 200,
    "gen_ai.response.finish_reasons": ["end_turn"],
  });
  expect(one(spans, "chat gpt-4o").attributes).toMatchObject({ "gen_ai.request.model": "gpt-4o", "scryptorum.function": "answer" });
  const limited = one(spans, "chat rate-limited");
  expect(limited.status).toEqual({ code: 2, message: "429 Rate limit reached for requests" });
  expect(limited.attributes["error.type"]).toBe("RateLimitError");

  // Timestamps: each span's start and end are the records' (end time, duration), in the run's time.
  const records = readLines(run.logFile).filter((r) => r.event_type === "llm_call");
  for (const r of records) {
    const s = spans.find((x) => x.attributes["gen_ai.request.model"] === r.model && Number(x.endNs / 1_000_000n) === Date.parse(r.timestamp))!;
    expect(s).toBeDefined();
    expect(Number(s.endNs - s.startNs) / 1e6).toBeCloseTo(r.duration_ms, 3);
  }
  const runJson = run.info;
  expect(Number(root.startNs / 1_000_000n)).toBe(Date.parse(runJson.started_at));
  expect(Number(root.endNs / 1_000_000n)).toBe(Date.parse(runJson.finished_at!));
  for (const s of spans) expect(s.endNs >= s.startNs).toBe(true);
}

describe("export --format otlp", () => {
  test("http/protobuf (the default): one trace with parents, names, kinds, attributes, times and status; no content", async () => {
    const r = await exportOtlp(["--endpoint", receiver.url]);
    expect(r.stderr).toContain(`sent 1 run of "otel" as one trace (8 spans, http/protobuf) to ${receiver.url}/v1/traces`);
    expect(r.code).toBe(0);
    expect(receiver.requests.every((q) => q.contentType === "application/x-protobuf")).toBe(true);
    const spans = receiver.spans();
    checkTrace(spans);
    const everything = JSON.stringify(spans.map((s) => ({ ...s, startNs: 0, endNs: 0, events: s.events.map((e) => e.attributes) })));
    expect(everything).not.toContain(SECRET_PROMPT);
    expect(everything).not.toContain("gen_ai.input.messages");
    expect(everything).not.toContain("input.value");
  });

  test("http/json from OTEL_EXPORTER_OTLP_PROTOCOL, endpoint and headers from the environment; content with --include-content", async () => {
    const r = await exportOtlp(["--include-content", "--header", "x-team=qa"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc,x-team=ignored",
      OTEL_SERVICE_NAME: "eval-service",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci",
    });
    expect(r.code).toBe(0);
    expect(receiver.requests[0]!.contentType).toBe("application/json");
    expect(receiver.requests[0]!.headers).toMatchObject({ authorization: "Bearer abc", "x-team": "qa" });
    const spans = receiver.spans();
    checkTrace(spans, "eval-service");
    expect(spans[0]!.resource).toMatchObject({ "service.name": "eval-service", "deployment.environment": "ci" });
    const claude = one(spans, "chat claude-sonnet-4-6").attributes;
    expect(JSON.parse(claude["gen_ai.input.messages"] as string)).toEqual([{ role: "user", parts: [{ type: "text", content: SECRET_PROMPT }] }]);
    expect(JSON.parse(claude["gen_ai.system_instructions"] as string)).toEqual([{ type: "text", content: SYSTEM }]);
    expect(JSON.parse(claude["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", parts: [{ type: "text", content: "Hello world" }], finish_reason: "end_turn" }]);
    for (const s of spans) expect(Object.keys(s.attributes)).not.toContain("input.value");
  });

  test("exporting again sends the same trace and span ids; another run (a failed one) has its own trace, status ERROR", async () => {
    await exportOtlp(["--endpoint", receiver.url]);
    const first = receiver.spans().map((s) => `${s.traceId}/${s.spanId}/${s.parentSpanId}/${s.name}`).sort();
    receiver.reset();
    await exportOtlp(["--endpoint", receiver.url, "--protocol", "http/json"]);
    expect(receiver.spans().map((s) => `${s.traceId}/${s.spanId}/${s.parentSpanId}/${s.name}`).sort()).toEqual(first);
    receiver.reset();
    const r = await bin(["export", "broken", "--format", "otlp", "--endpoint", receiver.url], { cwd: dir, env: OTEL_ENV });
    expect(r.code).toBe(0);
    const root = one(receiver.spans(), "invoke_workflow broken");
    expect(root.traceId).not.toBe(first[0]!.split("/")[0]);
    expect(root.status).toEqual({ code: 2, message: "boom" });
    expect(root.attributes["error.type"]).toBe("TypeError");
    expect(failed.status).toBe("failed");
  });

  test("a collector answering 503, then slowly, is retried within the timeout", async () => {
    receiver.fail(1, 503);
    receiver.delay(300);
    const r = await exportOtlp(["--endpoint", receiver.url]);
    expect(r.code).toBe(0);
    expect(receiver.refused).toBe(1);
    expect(receiver.spans().length).toBe(8);
  });

  test("a collector that refuses or is down: exit 1 naming it; bad flags: exit 2", async () => {
    receiver.fail(5, 401);
    const refused = await exportOtlp(["--endpoint", receiver.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the collector at ${receiver.url}/v1/traces did not take the spans: HTTP 401`);
    const down = await exportOtlp(["--endpoint", "http://127.0.0.1:9"], { OTEL_EXPORTER_OTLP_TIMEOUT: "1500" });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("the collector at http://127.0.0.1:9/v1/traces did not take the spans");
    const bad = [
      [["--endpoint", "localhost:4318"], "--endpoint"],
      [["--protocol", "grpc"], "--protocol grpc is not supported"],
      [["--header", "novalue"], '--header "novalue" is not key=value'],
      [["-o", "x.json"], "not to a file"],
    ] as const;
    for (const [args, message] of bad) {
      const r = await exportOtlp([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const notOtlp = await bin(["export", "otel", "--format", "csv", "--endpoint", receiver.url], { cwd: dir, env: OTEL_ENV });
    expect(notOtlp.code).toBe(2);
    expect(notOtlp.stderr).toContain("--endpoint is for --format otlp");
  }, 30_000);
});
