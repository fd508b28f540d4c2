/**
 * A run: the hot path (events, metrics, timings, LLM calls appended to its three JSONL
 * files) and its lifecycle (open, finish, fail, interrupt). What it writes is built in
 * records.ts; run.json is runfile.ts's; plugins are called through plugins.ts; artifacts
 * are artifacts.ts's and tags, note and config annotations.ts's (the methods delegate).
 * Every logging call is synchronous and never throws for a value JSON cannot carry.
 */
import { existsSync, statSync } from "node:fs";
import { JsonlWriter } from "./jsonl";
import { runFiles } from "./layout";
import { redactConfig } from "./redact";
import { currentSpanId, newSpanId, runtime as sharedRuntime, type Context, type Plugin, type Runtime } from "./runtime";
import { chargeCase, promptsForCall } from "./scope";
import { isoTimestamp, safeStringify } from "./serialize";
import { writeOwnedRunJson, type RunMeta, type RunStatus, type RunTypeName } from "./runfile";
import { lastMetricValues } from "./metrics";
import { installExitHandlers } from "./lifecycle";
import { callRunHook, emitRecord } from "./plugins";
import { describeError, EventType, llmCallFields, setLastValue } from "./records";
import { Attachment } from "./attachment";
import { Annotations } from "./annotations";
import { preserveArtifacts, saveArtifact } from "./artifacts";

export { RunType, newRunMeta, type RunError, type RunMeta, type RunStatus, type RunTypeName } from "./runfile";

/**
 * The runtime object with its runs typed as this copy's `Run`. core/runtime.ts knows runs
 * only as handles (another copy of the library may have made them, and it imports nothing
 * back from here); code above core that calls a run's logging methods uses this view.
 */
export const runtime = sharedRuntime as Runtime<Run>;
/** A plugin, its hooks given this copy's `Run`. */
export type RunPlugin = Plugin<Run>;
/** The current run and span, as the AsyncLocalStorage holds them. */
export type RunContext = Context<Run>;

export interface LlmCallInput {
  model: string;
  input?: unknown;
  output?: unknown;
  durationMs?: number;
  duration_ms?: number;
  usage?: unknown;
  costUsd?: number | null;
  cost_usd?: number | null;
  /** What the call threw (any value): written as `{name, message, status_code?, stack?}`. */
  error?: unknown;
  [extra: string]: unknown;
}

/** A running timer from `run.startTimer()`; `using t = run.startTimer("x")` stops it at scope end. */
export interface RunTimer {
  readonly operation: string;
  readonly spanId: string;
  /** Stops the timer and logs it; later calls do nothing. Returns the duration in ms. */
  stop(extra?: Record<string, unknown>): number;
  [Symbol.dispose](): void;
}

const TIME_ORIGIN = performance.timeOrigin;
const LLM_KNOWN: ReadonlySet<string> = new Set([
  "model", "input", "output", "durationMs", "duration_ms", "usage", "costUsd", "cost_usd",
  "timestamp", "run_id", "event_type",
]);
const TERMINAL: ReadonlySet<string> = new Set(["finished", "failed", "interrupted"]);

/**
 * A duration in ms as JSON, to the microsecond. Formatted from whole microseconds: integer
 * formatting costs half of a double's shortest-round-trip formatting, on the hot path.
 *
 * @example
 * msJson(12.3456); // "12.346"
 */
export function msJson(ms: number): string {
  if (!Number.isFinite(ms)) return "null";
  const us = Math.round(ms * 1000);
  if (us < 0 || us >= 2e9) return String(us / 1000);
  const whole = (us / 1000) | 0;
  const frac = us - whole * 1000;
  return frac === 0 ? `${whole}` : `${whole}.${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac % 10 === 0 ? (frac % 100 === 0 ? frac / 100 : frac / 10) : frac}`;
}

export interface RunInit {
  dir: string;
  meta: RunMeta;
  /** True for the process that created the run: it writes run.json and marks the end. */
  owned: boolean;
  /** Called once when an owned run closes (a trial releases its lock). */
  onClose?: () => void;
  /** Reopened by `resumeRun`: logs `run_resumed` instead of `run_started`. */
  resumed?: boolean;
  /** Seconds the run already ran before it was resumed (its duration counts them, not the pause). */
  elapsedBefore?: number;
}

/**
 * One run of an experiment. Created by `Experiment.createRun()` or attached with
 * `Experiment.openRun()`.
 *
 * @example
 * const run = new Experiment(root, "sentiment").createRun();
 * run.logMetric("accuracy", 0.91);
 * run.finish();
 */
export class Run {
  readonly dir: string;
  readonly logFile: string;
  readonly metricsFile: string;
  readonly timingsFile: string;
  readonly artifactsDir: string;
  readonly owned: boolean;
  private meta: RunMeta;
  private events: JsonlWriter;
  private metrics: JsonlWriter;
  private timings: JsonlWriter;
  private lastMetrics: Record<string, unknown> = {};
  private startedMs: number;
  private closed = false;
  private runIdJson: string;
  /** logEventFields' last line head and what it was made for. */
  private head = "";
  private headMs = -1;
  private headType = "";
  private onClose?: () => void;
  private attachment?: Attachment;
  private annotations: Annotations;

  constructor(init: RunInit) {
    this.dir = init.dir;
    this.meta = init.meta;
    this.owned = init.owned;
    this.onClose = init.onClose;
    const files = runFiles(init.dir);
    this.logFile = files.events;
    this.metricsFile = files.metrics;
    this.timingsFile = files.timings;
    this.artifactsDir = files.artifacts;
    this.startedMs = init.elapsedBefore !== undefined ? Date.now() - init.elapsedBefore * 1000 : Date.parse(init.meta.started_at) || Date.now();
    this.runIdJson = JSON.stringify(init.meta.run_id);
    this.events = new JsonlWriter(this.logFile);
    this.metrics = new JsonlWriter(this.metricsFile);
    this.timings = new JsonlWriter(this.timingsFile);
    this.annotations = new Annotations(init.dir, init.meta, init.owned ? () => this.writeMeta() : undefined);
    installExitHandlers();
    if (this.owned) {
      this.writeMeta();
      runtime.ownedRuns.add(this);
      if (init.resumed) this.logEvent("run_resumed", { run_type: this.meta.run_type, experiment: this.meta.experiment, pid: process.pid });
      else this.logEvent("run_started", { run_type: this.meta.run_type, experiment: this.meta.experiment });
      this.events.flush(); // on disk before any user code runs (or blocks)
      callRunHook(this, "onRunStart");
    } else {
      runtime.attachedRuns.add(this);
      const label = `run ${init.meta.run_id} of experiment "${init.meta.experiment}" (${init.dir})`;
      this.attachment = new Attachment(init.dir, label, init.meta, [this.events, this.metrics, this.timings]);
    }
  }

  get id(): string {
    return this.meta.run_id;
  }
  get type(): RunTypeName {
    return this.meta.run_type;
  }
  get experiment(): string {
    return this.meta.experiment;
  }
  get project(): string {
    return this.meta.project;
  }
  get status(): RunStatus {
    return this.meta.status;
  }
  /**
   * The run's config as given (secrets included: your code needs the real key); run.json
   * holds it redacted. An attached run only has the redacted copy from disk.
   */
  get config(): Record<string, unknown> {
    return this.meta.config;
  }
  /** A copy of what run.json holds (for an attached run: as it was when attached). */
  get info(): RunMeta {
    return this.onDiskMeta();
  }

  // ---- logging (the hot path) -------------------------------------------------------

  /**
   * Appends an event to run.jsonl; `data`'s fields sit at the top level.
   *
   * @example
   * run.logEvent("dataset_loaded", { rows: 120 });
   */
  logEvent(type: string, data?: Record<string, unknown>): void {
    const now = Date.now();
    const ts = isoTimestamp(now);
    let record: Record<string, unknown>;
    if (data === undefined || data === null) {
      record = { timestamp: ts, run_id: this.meta.run_id, event_type: type };
    } else {
      record = { timestamp: ts, run_id: this.meta.run_id, event_type: type, ...data };
      // The library's own fields always win over a user field of the same name.
      record.timestamp = ts;
      record.run_id = this.meta.run_id;
      record.event_type = type;
    }
    this.events.append(safeStringify(record), now);
    if (type === EventType.LLM_CALL) chargeCase(record);
    if (runtime.plugins.length > 0) emitRecord(this, record, "event");
  }

  /**
   * `logEvent(type, data)` without the copy of `data` into a new record: the line is the
   * same, built as text (evaluate()'s `case_result`, once per case). `data` must be a plain
   * object without `timestamp`, `run_id` or `event_type`. With plugins, `logEvent` itself
   * (they get the record).
   * @internal
   */
  logEventFields(type: string, data: Record<string, unknown>): void {
    if (runtime.plugins.length > 0 || type === EventType.LLM_CALL) return this.logEvent(type, data);
    const now = Date.now();
    const fields = safeStringify(data);
    // The head changes once a millisecond at most: a case_result a few microseconds apart shares it.
    if (now !== this.headMs || type !== this.headType) {
      this.headMs = now;
      this.headType = type;
      this.head = `{"timestamp":"${isoTimestamp(now)}","run_id":${this.runIdJson},"event_type":${JSON.stringify(type)}`;
    }
    const head = this.head;
    if (fields.length <= 2) return this.events.append(`${head}}`, now);
    // The two pieces encoded straight into the buffer (no joined string): the fields' "{"
    // becomes the "," after the head.
    const bytes = (head.length + fields.length) * 3 + 1;
    const w = this.events;
    const at = bytes <= 65536 ? w.reserve(bytes) : -2;
    if (at === -2) return w.append(`${head},${fields.slice(1)}`, now);
    if (at < 0) return;
    const from = at + w.chunk.write(head, at, "utf8");
    const end = from + w.chunk.write(fields, from, "utf8");
    w.chunk[from] = 0x2c;
    w.chunk[end] = 0x0a;
    w.commit(end + 1, now);
  }

  /**
   * `logEvent` with one more field given as JSON text, spliced into the line as it is: a
   * large map built as text (an evaluation's case hashes) is never an object of a million
   * keys. Plugins get it parsed.
   * @internal
   */
  logEventWithJson(type: string, data: Record<string, unknown>, field: string, json: string): void {
    const now = Date.now();
    const ts = isoTimestamp(now);
    const mark = `\u0000raw:${field}`;
    const record: Record<string, unknown> = { timestamp: ts, run_id: this.meta.run_id, event_type: type, ...data, [field]: mark };
    record.timestamp = ts;
    record.run_id = this.meta.run_id;
    record.event_type = type;
    this.events.append(safeStringify(record).replace(JSON.stringify(mark), () => json), now);
    if (runtime.plugins.length > 0) emitRecord(this, { ...record, [field]: JSON.parse(json) }, "event");
  }

  /**
   * Appends a metric to metrics.jsonl. `type` defaults to "custom"; `extra` may hold `step`.
   *
   * @example
   * run.logMetric("loss", 0.31, "loss", { step: 10 });
   */
  logMetric(name: string, value: unknown, type = "custom", extra?: Record<string, unknown>): void {
    const now = Date.now();
    const ts = isoTimestamp(now);
    let record: Record<string, unknown>;
    if (extra === undefined || extra === null) {
      record = { timestamp: ts, run_id: this.meta.run_id, name, value, type };
    } else {
      record = { timestamp: ts, run_id: this.meta.run_id, name, value, type, ...extra };
      record.timestamp = ts;
      record.run_id = this.meta.run_id;
      record.name = name;
      record.value = value;
      record.type = type;
    }
    setLastValue(this.lastMetrics, name, value);
    this.metrics.append(safeStringify(record), now);
    if (runtime.plugins.length > 0) emitRecord(this, record, "metric");
  }

  /**
   * Appends a timing to timings.jsonl. A span id is made when `extra` has none, with the
   * current span as its parent.
   */
  logTiming(operation: string, durationMs: number, extra?: Record<string, unknown>): void {
    const now = Date.now();
    const ts = isoTimestamp(now);
    const record: Record<string, unknown> = {
      timestamp: ts,
      run_id: this.meta.run_id,
      operation,
      duration_ms: durationMs,
      ...extra,
    };
    record.timestamp = ts;
    record.run_id = this.meta.run_id;
    record.operation = operation;
    record.duration_ms = durationMs;
    if (record.span_id === undefined) {
      record.span_id = newSpanId();
      const parent = currentSpanId();
      if (parent !== undefined && record.parent_span_id === undefined) record.parent_span_id = parent;
    }
    this.timings.append(safeStringify(record), now);
    if (runtime.plugins.length > 0) emitRecord(this, record, "timing");
  }

  /**
   * The wrappers' fast path for a timing: the line is built as text (names escaped once by
   * the caller), which halves the cost of a small record compared with JSON.stringify.
   * @internal
   */
  recordSpan(operationJson: string, durationMs: number, spanId: string, parentSpanId?: string, error?: string, endPerf?: number): void {
    if (runtime.plugins.length > 0) {
      const extra: Record<string, unknown> = { span_id: spanId };
      if (parentSpanId !== undefined) extra.parent_span_id = parentSpanId;
      if (error !== undefined) extra.error = error;
      this.logTiming(JSON.parse(operationJson), durationMs, extra);
      return;
    }
    // The wall clock from the end mark the caller already read: one clock read saved.
    const now = endPerf === undefined ? Date.now() : Math.floor(TIME_ORIGIN + endPerf);
    let line = `{"timestamp":"${isoTimestamp(now)}","run_id":${this.runIdJson},"operation":${operationJson},"duration_ms":${msJson(durationMs)},"span_id":"${spanId}"`;
    if (parentSpanId !== undefined) line += `,"parent_span_id":"${parentSpanId}"`;
    if (error !== undefined) line += `,"error":${safeStringify(error)}`;
    this.timings.append(line + "}", now);
  }

  /** @internal The timings file's writer and the run id as JSON, for the timer's encoder (spanline.ts). */
  get spanSink(): { writer: JsonlWriter; runIdJson: string } {
    return { writer: this.timings, runIdJson: this.runIdJson };
  }

  /**
   * Logs an `llm_call` event. Known fields are accepted in camelCase or snake_case; usage is
   * normalised from OpenAI, Anthropic and Vercel AI SDK shapes.
   *
   * @example
   * run.logLlmCall({ model: "gpt-4o", input: "hi", output: "hello", durationMs: 420 });
   */
  logLlmCall(call: LlmCallInput): void {
    const now = Date.now();
    // Built in place (no second object): this is the per-call path of every tracked LLM call.
    const record: Record<string, unknown> = { timestamp: isoTimestamp(now), run_id: this.meta.run_id, event_type: EventType.LLM_CALL };
    const given = call.span_id;
    llmCallFields({
      model: call.model,
      input: call.input,
      output: call.output,
      durationMs: call.durationMs ?? call.duration_ms ?? 0,
      spanId: typeof given === "string" ? given : newSpanId(),
      parentSpanId: given === undefined ? currentSpanId() : undefined,
      usage: call.usage,
      prompts: promptsForCall(),
      // null is a value here: "cost unknown" (an unpriced model), never a guess.
      costUsd: call.costUsd !== undefined ? call.costUsd : call.cost_usd,
      error: call.error,
      extra: call as Record<string, unknown>,
      skip: LLM_KNOWN,
    }, record);
    this.events.append(safeStringify(record), now);
    chargeCase(record);
    if (runtime.plugins.length > 0) emitRecord(this, record, "event");
  }

  /**
   * Times an async (or sync) function and logs it as `name`.
   *
   * @example
   * const rows = await run.time("load", () => loadRows());
   */
  async time<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const timer = this.startTimer(name);
    const scoped = runtime.als.run({ run: this, spanId: timer.spanId }, fn);
    try {
      return await scoped;
    } finally {
      timer.stop();
    }
  }

  /**
   * Starts a timer; stop it with `stop()` or let `using` dispose of it.
   *
   * @example
   * { using t = run.startTimer("retrieval"); retrieve(); }
   */
  startTimer(name: string): RunTimer {
    const start = performance.now();
    const spanId = newSpanId();
    const parent = currentSpanId();
    let done = false;
    let duration = 0;
    const stop = (extra?: Record<string, unknown>) => {
      if (done) return duration;
      done = true;
      duration = Math.round((performance.now() - start) * 1000) / 1000;
      if (extra) {
        const ids: Record<string, unknown> = { span_id: spanId };
        if (parent !== undefined) ids.parent_span_id = parent;
        this.logTiming(name, duration, { ...extra, ...ids });
      } else {
        this.recordSpan(JSON.stringify(name), duration, spanId, parent);
      }
      return duration;
    };
    return { operation: name, spanId, stop, [Symbol.dispose]: () => void stop() };
  }

  // ---- artifacts, tags, note, config: their own modules (artifacts.ts, annotations.ts) ----

  /**
   * Saves each value as `artifacts/<key>.json`.
   *
   * @example
   * run.preserveArtifacts({ predictions, confusion_matrix: matrix });
   */
  preserveArtifacts(artifacts: Record<string, unknown>): string[] {
    return preserveArtifacts(this, artifacts);
  }

  /**
   * Writes `artifacts/<name>`; `name` may hold sub-folders but never leaves `artifacts/`.
   * Strings and bytes are written as they are, anything else as JSON. Returns the path.
   *
   * @example
   * run.saveArtifact("plots/loss.svg", svgText);
   */
  saveArtifact(name: string, content: string | Uint8Array | unknown): string {
    return saveArtifact(this, name, content);
  }

  /** Adds tags to run.json (duplicates ignored). */
  addTags(...tags: string[]): void {
    this.annotations.addTags(tags);
  }

  /** Sets the run's note in run.json. */
  setNote(text: string): void {
    this.annotations.setNote(text);
  }

  /** Replaces the config (redacted in run.json) — used when a wrapper joins a CLI run. */
  setConfig(config: Record<string, unknown>): void {
    this.annotations.setConfig(config);
  }

  // ---- lifecycle -----------------------------------------------------------------

  /** Writes every buffered record to disk now. */
  flush(): void {
    this.events.flush();
    this.metrics.flush();
    this.timings.flush();
  }

  /** Marks the run finished (an attached run only flushes). A terminal status is kept. */
  finish(): void {
    this.close("finished");
  }

  /** Marks the run failed with the error (name, message, stack). */
  fail(error: unknown): void {
    this.close("failed", error);
  }

  /** Marks the run interrupted (used by the signal handlers). */
  interrupt(signal?: string): void {
    this.close("interrupted", undefined, signal);
  }

  /**
   * Lets go of an owned run without marking it: writers closed, no status written, no
   * plugin told (a refused resume puts the run back as it was; see resumeRun).
   */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    runtime.ownedRuns.delete(this);
    this.events.close();
    this.metrics.close();
    this.timings.close();
    this.onClose?.();
    this.onClose = undefined;
  }

  private close(status: RunStatus, error?: unknown, signal?: string): void {
    if (!this.owned) {
      // Attached: write out and let go of the files (they reopen if more comes).
      runtime.attachedRuns.delete(this);
      this.attachment?.release();
      this.events.close();
      this.metrics.close();
      this.timings.close();
      return;
    }
    if (this.closed || TERMINAL.has(this.meta.status)) {
      this.flush();
      return;
    }
    this.closed = true;
    runtime.ownedRuns.delete(this);
    const now = Date.now();
    const duration = Math.round(now - this.startedMs) / 1000;
    if (status === "failed") {
      const described = describeError(error);
      this.meta.error = described;
      this.logEvent("run_failed", { error: described });
    } else if (status === "interrupted") {
      this.logEvent("run_interrupted", signal ? { signal } : undefined);
    } else {
      this.logEvent("run_finished", { status, duration_seconds: duration });
    }
    let flushError: unknown;
    try {
      this.events.close();
      this.metrics.close();
      this.timings.close();
    } catch (e) {
      flushError = e;
    }
    this.meta.status = flushError && status === "finished" ? "failed" : status;
    if (flushError && !this.meta.error) this.meta.error = describeError(flushError);
    this.meta.finished_at = isoTimestamp(now);
    this.meta.duration_seconds = duration;
    this.meta.metrics_summary = this.summarizeMetrics();
    try {
      this.writeMeta();
    } finally {
      this.onClose?.();
      this.onClose = undefined;
    }
    callRunHook(this, "onRunFinish");
    if (flushError) throw flushError;
  }

  /** Last value of each metric; re-reads the file when other processes appended to it. */
  private summarizeMetrics(): Record<string, unknown> {
    try {
      const size = existsSync(this.metricsFile) ? statSync(this.metricsFile).size : 0;
      if (size <= this.metrics.written) return { ...this.lastMetrics };
      return lastMetricValues(this.metricsFile);
    } catch {
      return { ...this.lastMetrics };
    }
  }

  /** run.json as written: the config redacted, secrets never on disk. */
  private onDiskMeta(): RunMeta {
    // Through JSON: functions, BigInt and cycles in a config become what the logs make of them.
    return JSON.parse(safeStringify({ ...this.meta, config: redactConfig(this.meta.config) })) as RunMeta;
  }

  /** Writes run.json (see writeOwnedRunJson): the owner's whole record, with the config redacted. */
  private writeMeta(): void {
    writeOwnedRunJson(this.dir, this.meta, () => this.onDiskMeta());
  }
}
