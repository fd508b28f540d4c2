/**
 * `metric`, `timer` and `llmCall`: transparent outside a run; inside one they log, keep
 * sync functions sync, record an error and rethrow it.
 */
import { SpanContext, newSpanId, nextSpanNumber } from "../core/runtime";
import { SpanLine } from "../core/spanline";
import { runtime, type Run, type RunContext as Context } from "../core/run";
import { currentCase, promptsForCall } from "../core/scope";
import { normalizeUsage } from "../core/usage";
import { callCost, modelCandidates, priceTable } from "../prices";
import { limitedCall } from "../clients/shared/limiter";
import { describeError, EventType, llmCallFields, roundMs } from "../core/records";
import { currentContext } from "./context";
import { dualUse, isThenable, keepIdentity, type AnyFn, type Wrapper } from "./decorate";

type Done = (run: Run, outcome: { ok: boolean; value: unknown; args: unknown[]; ms: number; spanId: string; parent?: string; end: number }) => void;

/** Runs fn in a new span under the current run, then reports the outcome to `done`. */
function traced(fn: AnyFn, done: Done): AnyFn {
  const als = runtime.als;
  return keepIdentity(function (this: unknown, ...args: unknown[]) {
    const ctx = als.getStore() ?? currentContext();
    if (ctx === undefined) return fn.apply(this, args);
    const run = ctx.run;
    const spanId = newSpanId();
    const parent = ctx.spanId;
    const start = performance.now();
    let result: unknown;
    try {
      result = als.run({ run, spanId }, Reflect.apply, fn, this, args);
    } catch (error) {
      const end = performance.now();
      done(run, { ok: false, value: error, args, ms: end - start, spanId, parent, end });
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          const end = performance.now();
          done(run, { ok: true, value, args, ms: end - start, spanId, parent, end });
          return value;
        },
        (error) => {
          const end = performance.now();
          done(run, { ok: false, value: error, args, ms: end - start, spanId, parent, end });
          throw error;
        },
      );
    }
    const end = performance.now();
    done(run, { ok: true, value: result, args, ms: end - start, spanId, parent, end });
    return result;
  }, fn);
}

/** Logging must never break the user's function: a failure to log is reported, not thrown. */
function safely(what: string, log: () => void) {
  try {
    log();
  } catch (error) {
    reportLogFailure(what, error);
  }
}

function reportLogFailure(what: string, error: unknown) {
  process.stderr.write(`scryptorum: could not log ${what}: ${(error as Error).message}\n`);
}

/**
 * Times a function and logs a timing named `name` (default: the function's name).
 *
 * @example
 * const load = timer("load")(async () => readRows());
 * class Pipeline { @timer("retrieve") retrieve(q: string) { ... } }
 */
export function timer(name?: string): Wrapper {
  return dualUse(name, timed);
}

/**
 * The timer's own wrapper: the per-call path of the product. It avoids the generic
 * `traced` outcome object and closure, and writes its timing line straight into the
 * file's buffer (src/core/spanline.ts); the span's id string is built only if a child
 * asks for it.
 */
function timed(fn: AnyFn, opName: string): AnyFn {
  const als = runtime.als;
  const opJson = JSON.stringify(opName);
  const line = new SpanLine(opJson);
  const record = (run: Run, start: number, span: SpanContext, parent: Context) => {
    const end = performance.now();
    try {
      line.write(run, span.n, parent, end - start, end);
    } catch (failure) {
      reportLogFailure(`timing "${opName}"`, failure);
    }
  };
  const recordError = (run: Run, start: number, span: SpanContext, parent: Context, error: unknown) => {
    const end = performance.now();
    try {
      run.recordSpan(opJson, roundMs(end - start), span.spanId, parent.spanId, describeError(error ?? null).message, end);
    } catch (failure) {
      reportLogFailure(`timing "${opName}"`, failure);
    }
  };
  return keepIdentity(function (this: unknown, ...args: unknown[]) {
    const ctx = als.getStore() ?? currentContext();
    if (ctx === undefined) return fn.apply(this, args);
    const run = ctx.run;
    const span = new SpanContext(run, nextSpanNumber());
    const start = performance.now();
    let result: unknown;
    try {
      // A plain call passes its arguments straight on: about half the cost of going through
      // Reflect.apply inside the scope (measured); a method call needs its `this`.
      result = this === undefined ? als.run(span, fn, ...args) : als.run(span, Reflect.apply, fn, this, args);
    } catch (error) {
      recordError(run, start, span, ctx, error);
      throw error;
    }
    if (isThenable(result)) {
      // A native promise is what Promise.resolve would return as it is: skip the call (~30 ns).
      const promise = (result as Promise<unknown>).constructor === Promise ? (result as Promise<unknown>) : Promise.resolve(result);
      return promise.then(
        (value) => {
          record(run, start, span, ctx);
          return value;
        },
        (error) => {
          recordError(run, start, span, ctx, error);
          throw error;
        },
      );
    }
    const end = performance.now();
    try {
      line.write(run, span.n, ctx, end - start, end);
    } catch (failure) {
      reportLogFailure(`timing "${opName}"`, failure);
    }
    return result;
  }, fn);
}

export interface MetricOptions {
  name?: string;
  type?: string;
}

/**
 * Logs the function's return value as a metric (type defaults to "custom").
 *
 * @example
 * const accuracy = metric({ name: "accuracy", type: "accuracy" })((preds, gold) => score(preds, gold));
 */
export function metric(opts?: string | MetricOptions): Wrapper {
  const o: MetricOptions = typeof opts === "string" ? { name: opts } : (opts ?? {});
  const type = o.type ?? "custom";
  return dualUse(o.name, (fn, metricName) =>
    keepIdentity(function (this: unknown, ...args: unknown[]) {
      const result = fn.apply(this, args);
      const ctx = currentContext();
      if (ctx === undefined) return result;
      const log = (value: unknown) => safely(`metric "${metricName}"`, () => ctx.run.logMetric(metricName, value, type));
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) => {
          log(value);
          return value;
        });
      }
      log(result);
      return result;
    }, fn),
  );
}

export interface LlmCallOptions {
  model: string;
  name?: string;
  logInput?: boolean;
  logOutput?: boolean;
  /**
   * Whose rate limit the calls count against inside `evaluate()` (default: the price table's
   * provider of `model`, else the prefix of `openai/gpt-4o`, else "unknown"). Calls of the
   * same provider and model share one limiter, wrapped clients' and judges' included.
   */
  provider?: string;
  /** Inside `evaluate()`, wait on the model's rate limiter and retry 429s, 5xx and timeouts (default true). */
  rateLimit?: boolean;
}

/**
 * The provider a model's calls are limited under: the price table's, else a routing
 * prefix's (`openai/gpt-4o`), else "unknown".
 */
function providerOf(model: string): string {
  for (const id of modelCandidates(model)) {
    const row = priceTable.models[id];
    if (row) return row.provider;
  }
  const slash = model.indexOf("/");
  return slash > 0 ? model.slice(0, slash) : "unknown";
}

/**
 * Logs each call as an `llm_call` event (model, input, output, duration, usage read from
 * OpenAI, Anthropic and Vercel AI SDK responses) and a timing named after the function.
 * Inside an `evaluate()` case each call waits on its provider and model's adaptive rate
 * limiter, and one that throws an error with `status` 429/503/529 (or `statusCode`, or
 * `response.status`; `headers` with `retry-after` honoured), another 5xx, or a timeout is
 * retried, each attempt logged. Outside `evaluate()` the function runs once, as written.
 *
 * @example
 * const ask = llmCall("gpt-4o-mini")(async (prompt: string) => client.chat.completions.create(...));
 */
export function llmCall(opts: string | LlmCallOptions): Wrapper {
  const o: LlmCallOptions = typeof opts === "string" ? { model: opts } : opts;
  if (!o || typeof o.model !== "string" || o.model === "") {
    throw new TypeError('llmCall needs a model: llmCall("gpt-4o") or llmCall({ model: "gpt-4o" })');
  }
  const provider = typeof o.provider === "string" && o.provider !== "" ? o.provider : providerOf(o.model);
  return dualUse(o.name, (fn, opName) => {
    const logged = llmLogged(fn, opName, o);
    if (o.rateLimit === false) return logged;
    // A function seen to return a plain value is not an HTTP call: it is left unlimited (so
    // it stays sync even while the limiter makes others wait).
    let sync = false;
    return keepIdentity(function (this: unknown, ...args: unknown[]) {
      const scope = sync ? undefined : currentCase();
      if (scope === undefined || (runtime.als.getStore() ?? currentContext()) === undefined) return logged.apply(this, args);
      const result = limitedCall(provider, o.model, scope, () => logged.apply(this, args));
      if (!isThenable(result)) sync = true;
      return result;
    }, fn);
  });
}

/** `fn`, logging each call as an `llm_call` and a timing. */
function llmLogged(fn: AnyFn, opName: string, o: LlmCallOptions): AnyFn {
  return traced(fn, (run, c) =>
    safely(`llm call "${opName}"`, () => {
      const usage = c.ok ? normalizeUsage(c.value) : undefined;
      const answered = c.ok && typeof (c.value as { model?: unknown } | null)?.model === "string" ? (c.value as { model: string }).model : undefined;
      const fields = llmCallFields({
        model: o.model,
        input: o.logInput === false ? undefined : c.args.length === 1 ? c.args[0] : c.args,
        output: !c.ok || o.logOutput === false ? undefined : c.value,
        durationMs: roundMs(c.ms),
        spanId: c.spanId,
        parentSpanId: c.parent,
        usage,
        prompts: promptsForCall(),
        // Priced as the client wrappers price theirs: the response's model, else the declared one.
        costUsd: c.ok ? callCost(o.model, answered, usage) : undefined,
        error: c.ok ? undefined : c.value,
        failed: !c.ok,
        extra: { name: opName },
      });
      run.logEvent(EventType.LLM_CALL, fields as unknown as Record<string, unknown>);
      run.recordSpan(JSON.stringify(opName), roundMs(c.ms), c.spanId, c.parent);
    }),
  );
}

