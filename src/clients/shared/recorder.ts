/**
 * One LLM call on its way to an `llm_call` event: the span it opens under the current
 * span, its clock, its cache slot, and the one place that writes the event. Logging never
 * breaks the caller: a failure to log is reported once on stderr.
 */
import { writeCacheEntry, CACHE_FORMAT } from "../../cache";
import type { Run } from "../../core/run";
import { newSpanId } from "../../core/runtime";
import { promptsForCall, type PromptRef } from "../../core/scope";
import { normalizeUsage } from "../../core/usage";
import { callCost } from "../../prices";
import { EventType, llmCallFields, roundMs, type LlmCallFields } from "../../core/records";

/** What a response (or a finished stream) says. */
export interface Outcome {
  output: unknown;
  usage?: unknown;
  /** The model the provider says answered (often a dated snapshot of the one asked for). */
  model?: string;
  finishReason?: unknown;
  responseId?: string;
}

/** Folds a stream's chunks into an outcome; `add` is true when the chunk carried output. */
export interface Accumulator {
  add(chunk: unknown): boolean;
  result(): Outcome;
}

/** What the request says. */
export interface CallSpec {
  provider: string;
  api: string;
  model: string;
  input: unknown;
  params: Record<string, unknown>;
  /** Fields logged beside `input` (a system prompt, instructions). */
  extra?: Record<string, unknown>;
}

export interface Ending {
  stream?: boolean;
  aborted?: boolean;
  cacheHit?: boolean;
  error?: unknown;
  /** The caller took the raw HTTP response (`asResponse()`): the output never passed here. */
  raw?: boolean;
}

let reported = false;

export class CallRecorder {
  readonly spanId = newSpanId();
  readonly started = performance.now();
  private ttft: number | undefined;
  private logged = false;
  private cache: { root: string; key: string; request: unknown } | undefined;
  /** The prompt versions rendered for this call (taken when it starts). */
  private readonly prompts: PromptRef[] | undefined = promptsForCall();

  constructor(
    private readonly run: Run,
    private readonly parentSpanId: string | undefined,
    readonly spec: CallSpec,
  ) {}

  /** Marks the arrival of the first chunk that carries output. */
  firstToken(): void {
    if (this.ttft === undefined) this.ttft = ms(performance.now() - this.started);
  }

  /** The call may be answered from, or stored in, the cache under `key`. */
  useCache(root: string, key: string, request: unknown): void {
    this.cache = { root, key, request };
  }

  get caching(): boolean {
    return this.cache !== undefined;
  }

  /** Stores a complete answer in the cache (a failure to store is reported, not thrown). */
  store(answer: { response: unknown } | { chunks: unknown[] }): void {
    const c = this.cache;
    if (!c) return;
    try {
      writeCacheEntry(c.root, {
        format: CACHE_FORMAT,
        provider: this.spec.provider,
        api: this.spec.api,
        model: this.spec.model,
        key: c.key,
        created_at: new Date().toISOString(),
        request: c.request,
        ...answer,
      });
    } catch (error) {
      report("store a response in the cache", error);
    }
  }

  /** Logs the call once; later calls do nothing. */
  finish(outcome: Outcome | undefined, end: Ending = {}): void {
    if (this.logged) return;
    this.logged = true;
    try {
      this.run.logEvent(EventType.LLM_CALL, this.record(outcome, end) as unknown as Record<string, unknown>);
    } catch (error) {
      report("log an llm call", error);
    }
  }

  private record(outcome: Outcome | undefined, end: Ending): LlmCallFields {
    const s = this.spec;
    const usage = outcome?.usage === undefined ? undefined : normalizeUsage(outcome.usage);
    const cache = this.cache;
    return llmCallFields({
      model: s.model,
      input: s.input,
      output: end.raw ? undefined : (outcome?.output ?? null),
      durationMs: ms(performance.now() - this.started),
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      usage,
      prompts: this.prompts,
      // An abandoned stream was billed for tokens that never arrived here: its cost is unknown.
      costUsd: end.cacheHit ? 0 : usage && !end.aborted ? callCost(s.model, outcome?.model, usage) : null,
      error: end.error,
      extra: {
        provider: s.provider,
        api: s.api,
        response_model: outcome?.model !== undefined && outcome.model !== s.model ? outcome.model : undefined,
        response_id: outcome?.responseId,
        finish_reason: outcome?.finishReason ?? undefined,
        ...s.extra,
        params: s.params,
        stream: end.stream ? true : undefined,
        ttft_ms: this.ttft,
        aborted: end.aborted ? true : undefined,
        raw_response: end.raw ? true : undefined,
        cache_hit: cache ? end.cacheHit === true : undefined,
        cache_key: cache?.key,
      },
    });
  }
}

/** Durations to the microsecond. */
export const ms = roundMs;

/** Reports a failure of scryptorum's own work, once per process, without breaking the caller. */
export function report(what: string, error: unknown): void {
  if (reported) return;
  reported = true;
  process.stderr.write(`scryptorum: could not ${what}: ${(error as Error)?.message ?? error} (reported once; the call goes on)\n`);
}
