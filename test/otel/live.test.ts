/**
 * Live export through the compiled binary: `scryptorum run … --otlp` and `"otlp"` in
 * .scryptorum, to a loopback receiver; a collector that is down; SIGINT's final flush.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";
import { bin, ensureBinary, testEnv, FIXTURES } from "../helpers/cli";
import { tempProject } from "../helpers/project";
import { startReceiver, type ReceivedSpan, type Receiver } from "../helpers/otlp-receiver";

let providers: FakeProviders;
let receiver: Receiver;
let binary: string;
const SCRIPT = join(FIXTURES, "otel", "live.ts");

beforeAll(async () => {
  binary = await ensureBinary();
  providers = startFakeProviders();
  receiver = startReceiver();
});
afterAll(() => {
  providers.stop();
  receiver.stop();
});
beforeEach(() => receiver.reset());

const env = (extra: Record<string, string | undefined> = {}) => ({
  FAKE_PROVIDERS: providers.url,
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
  OTEL_SERVICE_NAME: undefined,
  OTEL_RESOURCE_ATTRIBUTES: undefined,
  ...extra,
});
const key = (s: ReceivedSpan) => `${s.traceId} ${s.spanId} ${s.parentSpanId} ${s.name} ${s.kind} ${s.status.code}`;

describe("scryptorum run --otlp", () => {
  test("sends the run while it runs: the same trace, span ids and parents as exporting it afterwards", async () => {
    const { dir } = tempProject("live");
    const r = await bin(["run", "otel", "--script", SCRIPT, "--otlp"], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`scryptorum: sent run trial_run to ${receiver.url}/v1/traces as one OpenTelemetry trace (7 spans)`);
    const live = receiver.spans();
    expect(live.map((s) => s.name).sort()).toEqual(["chat claude-sonnet-4-6", "chat gpt-4o", "chat gpt-4o-mini", "chat gpt-4o-mini", "invoke_workflow otel", "pipeline", "retrieve"]);
    const root = live.find((s) => s.name === "invoke_workflow otel")!;
    expect(root.attributes).toMatchObject({ "scryptorum.run.status": "finished", "scryptorum.metric.accuracy": 0.5, "scryptorum.llm.calls": 4 });
    expect(root.events.map((e) => e.name)).toEqual(["scryptorum.metric"]);
    receiver.reset();
    const again = await bin(["export", "otel", "--format", "otlp"], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(receiver.spans().map(key).sort()).toEqual(live.map(key).sort());
    // Attributes agree too (times are the same records').
    const byId = new Map(receiver.spans().map((s) => [s.spanId, s]));
    for (const s of live) {
      expect(s.attributes).toEqual(byId.get(s.spanId)!.attributes);
      expect([s.startNs, s.endNs]).toEqual([byId.get(s.spanId)!.startNs, byId.get(s.spanId)!.endNs]);
    }
  }, 30_000);

  test('"otlp" in .scryptorum turns it on (http/json, headers); a bad section is exit 2 before any run', async () => {
    const { dir } = tempProject("anchored");
    const anchorFile = join(dir, ".scryptorum");
    const anchor = JSON.parse(readFileSync(anchorFile, "utf8"));
    writeFileSync(anchorFile, JSON.stringify({ ...anchor, otlp: { endpoint: receiver.url, protocol: "http/json", headers: { "x-team": "qa" } } }));
    const r = await bin(["run", "otel", "--script", SCRIPT], { cwd: dir, env: env({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined }) });
    expect(r.code).toBe(0);
    expect(receiver.requests.every((q) => q.contentType === "application/json" && q.headers["x-team"] === "qa")).toBe(true);
    expect(receiver.spans().length).toBe(7);
    writeFileSync(anchorFile, JSON.stringify({ ...anchor, otlp: { endpoint: "nope" } }));
    const bad = await bin(["run", "other", "--script", SCRIPT], { cwd: dir, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"otlp" in .scryptorum: "endpoint" "nope" is not a URL');
    expect(existsSync(join(dir, "experiments", "anchored", "experiments", "other"))).toBe(false);
  }, 30_000);

  test("a collector that is down: the run finishes normally and the drops are reported once", async () => {
    const { dir } = tempProject("down");
    const started = performance.now();
    const r = await bin(["run", "otel", "--script", SCRIPT, "--otlp", "--json"], { cwd: dir, env: env({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", LIVE_CALLS: "2000" }) });
    const seconds = (performance.now() - started) / 1000;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("finished");
    // The run itself (2,000 llmCall calls) is not held up by the dead collector: well under
    // the exporter's 10 s timeout even on a loaded machine (the speed is bun run bench's).
    expect(JSON.parse(r.stdout).duration_seconds).toBeLessThan(8);
    const lines = r.stderr.split("\n").filter((l) => l.includes("OpenTelemetry"));
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^scryptorum: OpenTelemetry export to http:\/\/127\.0\.0\.1:9\/v1\/traces dropped 2007 spans of run trial_run \(could not reach it.*\); send the run again with: scryptorum export otel --runs trial_run --format otlp$/);
    // The final flush gives up after its short timeout (3 s) rather than the export timeout's retries.
    expect(seconds).toBeLessThan(8);
  }, 30_000);

  test("batches during the run; a collector that answers 503 once is retried: every span arrives once", async () => {
    const { dir } = tempProject("retry");
    receiver.fail(1, 503);
    const r = await bin(["run", "otel", "--script", SCRIPT, "--otlp"], { cwd: dir, env: env({ LIVE_CALLS: "1500" }) });
    expect(r.code).toBe(0);
    expect(receiver.refused).toBe(1);
    expect(receiver.requests.length).toBeGreaterThan(2);
    expect(new Set(receiver.spans().map((s) => s.spanId)).size).toBe(1507);
    expect(receiver.spans().length).toBe(1507);
    expect(r.stderr).toContain("as one OpenTelemetry trace (1507 spans)");
  }, 30_000);

  test("a script that ends the process itself with process.exit(): the rest and the root are still sent", async () => {
    const { dir } = tempProject("exits");
    const r = await bin(["run", "otel", "--script", SCRIPT, "--otlp"], { cwd: dir, env: env({ LIVE_EXIT: "1" }) });
    expect(r.code).toBe(0);
    const spans = receiver.spans();
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(7);
    expect(spans.find((s) => s.name === "invoke_workflow otel")!.attributes["scryptorum.run.status"]).toBe("finished");
    expect(r.stderr).toContain("as one OpenTelemetry trace (7 spans)");
    expect(r.stderr).not.toContain("dropped");
  }, 30_000);

  test("process.exit() while a batch is still unanswered: that batch is sent again with the root, nothing is dropped", async () => {
    const { dir } = tempProject("exits");
    // The first request (the timer's, about 1 s in) is answered after 2 s; the script exits 1.2 s
    // after its spans, while that request is still unanswered.
    receiver.delay(2000, 1);
    const r = await bin(["run", "otel", "--script", SCRIPT, "--otlp"], { cwd: dir, env: env({ LIVE_EXIT: "1", LIVE_EXIT_AFTER: "1200" }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("as one OpenTelemetry trace (7 spans)");
    expect(r.stderr).not.toContain("dropped");
    // The first request may still reach the collector after the exit: a span can arrive twice
    // (at-least-once; backends keep one per span id), but every one arrives.
    while (receiver.busy > 0) await Bun.sleep(50);
    const spans = receiver.spans();
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(7);
    expect(new Set(spans.map((s) => s.name))).toEqual(new Set(["chat claude-sonnet-4-6", "chat gpt-4o", "chat gpt-4o-mini", "invoke_workflow otel", "pipeline", "retrieve"]));
  }, 30_000);

  test.each([["SIGINT", 130], ["SIGTERM", 143]] as const)("%s: the run is marked interrupted and its spans and root still reach the collector", async (signal, exitCode) => {
    const { dir } = tempProject("sig");
    const proc = Bun.spawn([binary, "run", "otel", "--script", SCRIPT, "--otlp"], { cwd: dir, env: testEnv(env({ LIVE_WAIT: "1" })), stdout: "pipe", stderr: "pipe" });
    const reader = proc.stderr.getReader();
    let err = "";
    while (!err.includes("READY")) {
      const { value, done } = await reader.read();
      if (done) break;
      err += new TextDecoder().decode(value);
    }
    proc.kill(signal);
    const code = await proc.exited;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      err += new TextDecoder().decode(value);
    }
    expect(code).toBe(exitCode);
    // A batch unanswered at the signal is sent again with the root: a span may arrive twice, none is lost.
    while (receiver.busy > 0) await Bun.sleep(50);
    const spans = receiver.spans();
    const root = spans.find((s) => s.name === "invoke_workflow otel")!;
    expect(root).toBeDefined();
    expect(root.status.code).toBe(2);
    expect(root.attributes).toMatchObject({ "scryptorum.run.status": "interrupted", "error.type": "interrupted" });
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(7);
    expect(err).toContain("as one OpenTelemetry trace (7 spans)");
    expect(err).not.toContain("dropped");
  }, 30_000);
});
