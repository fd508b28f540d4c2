/**
 * Live export (`scryptorum run … --otlp`, or `"otlp"` in `.scryptorum`): a built-in plugin
 * that sends the run's spans while it runs. Logging only puts the record in a bounded queue
 * (a dead collector never slows the run: past the bound records are dropped and counted);
 * a timer maps them and encodes batches with the official serializer, and a Worker posts
 * them (poster.ts). When the run ends the rest and the root span are sent within a short
 * timeout: awaited on a normal finish, blocking when the process is ending (SIGINT,
 * SIGTERM, process.exit), then with the spans of requests still unanswered sent again
 * (at-least-once; backends dedupe by trace id and span id). Drops are reported once, on stderr, with the command that sends
 * the run again.
 */
import type { Run, RunPlugin as Plugin } from "../core/run";
import { EventType, setLastValue } from "../core/records";
import { receivedSignal } from "../core/lifecycle";
import type { OtlpSettings } from "./config";
import { TraceBuilder, type SpanEvent, type TraceSpan } from "./mapping";
import { runInfoOf } from "./read";
import { Poster } from "./poster";
import { createEncoder, type SpanEncoder } from "./send";

export interface LiveOptions {
  /** Records waiting to be sent, at most (default 20,000); more are dropped and counted. */
  maxQueue?: number;
  /** Spans per request (default 512, the SDK's batch processor's). */
  batchSize?: number;
  /** How often the queue is sent (ms, default 1000). */
  intervalMs?: number;
  /** The final flush's limit (ms, default 3000). */
  flushTimeoutMs?: number;
  /** Where the one-line report goes (default: stderr). */
  report?: (line: string) => void;
}

/** What a live export did, once its run has ended. */
export interface LiveStats {
  sent: number;
  dropped: number;
  error?: string;
}

const LIFECYCLE: ReadonlySet<unknown> = new Set(["run_started", "run_finished", "run_failed", "run_interrupted"]);
const MAX_ROOT_EVENTS = 10_000;

class LiveTrace {
  records: Record<string, unknown>[] = [];
  kinds: string[] = [];
  dropped = 0;
  sent = 0;
  /** Spans in requests not answered yet. */
  pending = 0;
  /** The batches of those requests, kept until answered: a process that ends first sends them again. */
  unacked = new Set<TraceSpan[]>();
  error?: string;
  inFlight = new Set<Promise<void>>();
  rootEvents: SpanEvent[] = [];
  lastMetrics: Record<string, unknown> = {};
  figures = { calls: 0, input: 0, output: 0, cost: 0, costSeen: false };
  lastLlm?: unknown;
  lastEnd = 0;
  done = false;
  constructor(readonly run: Run, readonly builder: TraceBuilder) {}
}

/**
 * The live-export plugin for `settings`; `serviceName` is the default `service.name`.
 *
 * @example
 * registry.register(await otlpLivePlugin(otlpSettings({ endpoint }), "demo"));
 */
export async function otlpLivePlugin(
  settings: OtlpSettings,
  serviceName: string,
  opts: LiveOptions = {},
): Promise<Plugin & { stats(run: Run): LiveStats | undefined; backlog(run: Run): number }> {
  const encoder: SpanEncoder = await createEncoder(settings, serviceName);
  const poster = new Poster(settings.url, settings.headers);
  const maxQueue = opts.maxQueue ?? 20_000;
  const batchSize = opts.batchSize ?? 512;
  const flushTimeoutMs = opts.flushTimeoutMs ?? 3000;
  const report = opts.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const traces = new Map<Run, LiveTrace>();
  const finished = new Map<Run, LiveStats>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let soon = false;

  const traceOf = (run: Run): LiveTrace => {
    let t = traces.get(run);
    if (t === undefined) {
      const info = run.info;
      t = new LiveTrace(run, new TraceBuilder(info, { includeContent: settings.includeContent }));
      t.lastEnd = Date.parse(info.started_at);
      traces.set(run, t);
      timer ??= setInterval(drainAll, opts.intervalMs ?? 1000);
      timer.unref?.();
    }
    return t;
  };

  /** Maps queued records to spans (and root events); off the logging path. */
  const take = (t: LiveTrace, max: number): TraceSpan[] => {
    const n = Math.min(max, t.records.length);
    const records = t.records.splice(0, n);
    const kinds = t.kinds.splice(0, n);
    const spans: TraceSpan[] = [];
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      const kind = kinds[i];
      const ts = typeof r.timestamp === "string" ? Date.parse(r.timestamp) : NaN;
      if (ts > t.lastEnd) t.lastEnd = ts;
      if (kind === "timing") {
        // llmCall logs its llm_call, then its timing of the same span, one after the other.
        if (r.span_id !== undefined && r.span_id === t.lastLlm) continue;
        spans.push(t.builder.timingSpan(r));
      } else if (kind === "metric") {
        if (typeof r.name === "string") setLastValue(t.lastMetrics, r.name, r.value);
        if (t.rootEvents.length < MAX_ROOT_EVENTS) t.rootEvents.push(t.builder.metricEvent(r));
        else t.dropped++;
      } else if (r.event_type === EventType.LLM_CALL) {
        t.lastLlm = r.span_id;
        spans.push(t.builder.llmSpan(r));
        const f = t.figures;
        f.calls++;
        const u = r.usage as Record<string, unknown> | undefined;
        if (u && typeof u === "object") {
          if (typeof u.input_tokens === "number") f.input += u.input_tokens;
          if (typeof u.output_tokens === "number") f.output += u.output_tokens;
        }
        if (typeof r.cost_usd === "number") {
          f.cost += r.cost_usd;
          f.costSeen = true;
        }
      } else if (!LIFECYCLE.has(r.event_type)) {
        const e = t.builder.userEvent(r);
        if (e && t.rootEvents.length < MAX_ROOT_EVENTS) t.rootEvents.push(e);
        else if (e) t.dropped++;
      }
    }
    return spans;
  };

  const ship = (t: LiveTrace, spans: TraceSpan[], timeoutMs = settings.timeoutMs): Promise<void> => {
    t.pending += spans.length;
    t.unacked.add(spans);
    const { body, contentType } = encoder.encode(spans);
    const p = poster.post(body, contentType, timeoutMs).then((r) => {
      t.pending -= spans.length;
      t.unacked.delete(spans);
      // A full batch waiting: send it now rather than at the next tick of the timer.
      if (t.records.length >= batchSize && !t.done && !soon) {
        soon = true;
        setImmediate(drainAll);
      }
      if (r.status >= 200 && r.status < 300) t.sent += spans.length;
      else {
        t.dropped += spans.length;
        t.error ??= r.error;
      }
    });
    t.inFlight.add(p);
    void p.finally(() => t.inFlight.delete(p));
    return p;
  };

  function drain(t: LiveTrace): void {
    // At most two requests in flight: a slow collector makes the queue grow to its bound, never the run wait.
    while (t.records.length > 0 && t.inFlight.size < 2) {
      const spans = take(t, batchSize);
      if (spans.length > 0) void ship(t, spans);
    }
  }

  function drainAll(): void {
    soon = false;
    for (const t of traces.values()) if (!t.done) drain(t);
  }

  const rootOf = (t: LiveTrace): TraceSpan => {
    const f = t.figures;
    const figures: Record<string, number> = { "llm.calls": f.calls, "usage.input_tokens": f.input, "usage.output_tokens": f.output };
    if (f.costSeen) figures.cost_usd = Math.round(f.cost * 1e8) / 1e8;
    let info;
    try {
      info = runInfoOf(t.run.dir);
    } catch {
      const meta = t.run.info;
      info = { ...meta, status: meta.status, error: meta.error ?? null };
    }
    return t.builder.rootSpan(info, { endMs: t.lastEnd, events: t.rootEvents, metrics: t.lastMetrics, figures });
  };

  const finish = (t: LiveTrace): LiveStats => {
    if (finished.has(t.run)) return finished.get(t.run)!;
    const stats: LiveStats = { sent: t.sent, dropped: t.dropped, error: t.error };
    finished.set(t.run, stats);
    traces.delete(t.run);
    if (traces.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    const { run } = t;
    if (stats.dropped > 0) {
      report(`scryptorum: OpenTelemetry export to ${settings.url} dropped ${stats.dropped} span${stats.dropped === 1 ? "" : "s"} of run ${run.id}${stats.error ? ` (${stats.error})` : ""}; send the run again with: scryptorum export ${run.experiment} --runs ${run.id} --format otlp`);
    } else {
      report(`scryptorum: sent run ${run.id} to ${settings.url} as one OpenTelemetry trace (${stats.sent} spans)`);
    }
    return stats;
  };

  /**
   * The process is ending: nothing asynchronous runs again, so the rest goes in one blocking
   * request. Requests still unanswered cannot complete now (their answer would never be read):
   * their spans go again in that request, at least once rather than at most once. The
   * collector may then get a span twice (the first request may have reached it); OTLP
   * backends keep one span per trace id and span id, as they do for the exporters' retries.
   */
  const finishNow = (t: LiveTrace): void => {
    const again = [...t.unacked].flat();
    t.unacked.clear();
    t.pending = 0;
    const spans = [...again, ...take(t, Infinity), rootOf(t)];
    try {
      const { body, contentType } = encoder.encode(spans);
      const r = poster.postSync(body, contentType, flushTimeoutMs);
      if (r.status >= 200 && r.status < 300) t.sent += spans.length;
      else {
        t.dropped += spans.length;
        t.error ??= r.error;
      }
    } catch (error) {
      t.dropped += spans.length;
      t.error ??= (error as Error).message;
    }
    finish(t);
  };

  const finishLater = async (t: LiveTrace): Promise<void> => {
    const spans = take(t, Infinity);
    spans.push(rootOf(t));
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const work = Promise.all([...t.inFlight, ...chunks(spans, batchSize).map((c) => ship(t, c, flushTimeoutMs))]);
    const late = await Promise.race([work.then(() => false), new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(true), flushTimeoutMs)))]);
    clearTimeout(timeout);
    if (late) {
      t.dropped += t.pending;
      t.error ??= `no answer within ${flushTimeoutMs} ms`;
    }
    finish(t);
  };

  return {
    name: "scryptorum:otlp",
    onRunStart(run) {
      traceOf(run);
    },
    onEvent(record, run, kind) {
      const t = traces.get(run) ?? traceOf(run);
      if (t.records.length >= maxQueue) {
        t.dropped++;
        return;
      }
      t.records.push(record);
      t.kinds.push(kind);
      if (t.records.length === batchSize && !soon) {
        soon = true;
        setImmediate(drainAll);
      }
    },
    onRunFinish(run) {
      const t = traces.get(run);
      if (!t || t.done) return;
      t.done = true;
      const ending = receivedSignal() !== undefined || (process as { _exiting?: boolean })._exiting === true;
      if (ending) return finishNow(t);
      return finishLater(t);
    },
    stats: (run) => finished.get(run),
    /** Records queued and spans in requests not answered yet (the benchmark waits for 0). */
    backlog: (run) => {
      const t = traces.get(run);
      return t ? t.records.length + t.pending : 0;
    },
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
