/**
 * One adaptive limiter per provider and model, shared by everything in the process that
 * calls that model inside an `evaluate()` case: wrapped clients, `llmCall` functions, the
 * tasks and the judges. It starts unlimited (the evaluation's own `concurrency` bounds it); a 429 (or 503,
 * or Anthropic's 529 "overloaded") halves the calls it lets through at once and pauses new
 * ones for the answer's `retry-after-ms` / `retry-after` (else an exponential backoff with
 * jitter), and each run of successes lets one more through, back up to where it started.
 * A request that began before the last halving does not halve again: a burst of 429s from
 * one wave of requests counts once, as TCP's congestion control does. Other server errors
 * (500, 502, 504…), 408 and timeouts are retried too, after a backoff of their own, without
 * slowing the other calls down.
 */
import { runtime } from "../../core/runtime";
import type { CaseScope } from "../../core/scope";

/** Answers that mean "slow down": rate limited, unavailable, overloaded. */
export const RETRYABLE_STATUS = new Set([429, 503, 529]);
/** Attempts after the first before the error reaches the caller. */
export const MAX_RATE_LIMIT_RETRIES = 8;
/** Retries of a server error or a timeout (each waits 0.25-0.5 s, then twice as long…). */
export const MAX_ERROR_RETRIES = 3;
/** The longest `retry-after` honoured (a longer one is capped). */
const MAX_WAIT_MS = 120_000;

export class AdaptiveLimiter {
  /** Calls let through at once; Infinity until the first 429. */
  limit = Number.POSITIVE_INFINITY;
  inFlight = 0;
  /** The most calls seen in flight before the first halving: where growth stops. */
  ceiling = 0;
  /** No call starts before this time (ms since the epoch). */
  pausedUntil = 0;
  /** Calls answered 429 (or 503/529) so far. */
  limited = 0;
  /** Halvings so far: a call remembers the count it started under. */
  private epoch = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Waits for a slot; returns a token of when the call started (pass it to `rateLimited`). */
  async acquire(): Promise<number> {
    while (this.inFlight >= this.limit || this.now() < this.pausedUntil) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.schedule();
      });
    }
    return this.take();
  }

  /** A slot now, if one is free and no call waits for one; else undefined. */
  tryAcquire(): number | undefined {
    if (this.waiting.length > 0 || this.inFlight >= this.limit || this.now() < this.pausedUntil) return undefined;
    return this.take();
  }

  private take(): number {
    this.inFlight++;
    if (this.limit === Number.POSITIVE_INFINITY && this.inFlight > this.ceiling) this.ceiling = this.inFlight;
    return this.epoch;
  }

  /** The call is over: frees its slot. */
  release(): void {
    this.inFlight--;
    this.wake();
  }

  /** The call succeeded: grows the limit by one after `limit` successes. */
  succeeded(): void {
    if (this.limit === Number.POSITIVE_INFINITY) return;
    if (++this.successes >= this.limit) {
      this.successes = 0;
      this.limit++;
      if (this.limit >= this.ceiling) this.limit = Number.POSITIVE_INFINITY;
      this.wake();
    }
  }

  /** The call `acquire` gave `started` to was told to slow down; `waitMs` before any new call. */
  rateLimited(started: number, waitMs: number): void {
    this.limited++;
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(MAX_WAIT_MS, Math.max(0, waitMs)));
    if (started === this.epoch) {
      const base = this.limit === Number.POSITIVE_INFINITY ? Math.max(this.inFlight, 1) : this.limit;
      this.limit = Math.max(1, Math.floor(base / 2));
      this.epoch++;
      this.successes = 0;
    }
    this.schedule();
  }

  private wake(): void {
    if (this.now() < this.pausedUntil) return this.schedule();
    let free = this.limit - this.inFlight;
    while (free-- > 0 && this.waiting.length) this.waiting.shift()!();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.waiting.length === 0) return;
    const delay = Math.max(0, this.pausedUntil - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, delay);
  }
}

const KEY = Symbol.for("scryptorum.limiters");

/** The limiter of `provider` and `model`, shared by every copy of the library in the process. */
export function limiterFor(provider: string, model: string): AdaptiveLimiter {
  const holder = runtime as unknown as Record<symbol, Map<string, AdaptiveLimiter> | undefined>;
  const map = (holder[KEY] ??= new Map());
  const key = `${provider}\u0000${model}`;
  let limiter = map.get(key);
  if (!limiter) map.set(key, (limiter = new AdaptiveLimiter()));
  return limiter;
}

/**
 * The HTTP status an error carries: openai and Anthropic's `status`, the AI SDK's
 * `statusCode`, an HTTP client's `response.status` (axios, ky, ofetch).
 */
export function statusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } } | null | undefined;
  if (typeof e?.status === "number") return e.status;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return typeof e?.response?.status === "number" ? e.response.status : undefined;
}

/**
 * How the limiter treats an error: "slow down" (429, 503, 529: every call of the model
 * waits), "retry" (another 5xx, 408, a timeout: this call waits and tries again), or
 * undefined (the caller's to handle).
 *
 * @example
 * retryKind({ status: 429 }); // "slow down"
 * retryKind(new DOMException("timed out", "TimeoutError")); // "retry"
 */
export function retryKind(error: unknown): "slow down" | "retry" | undefined {
  const status = statusOf(error);
  if (status !== undefined) return RETRYABLE_STATUS.has(status) ? "slow down" : status >= 500 || status === 408 ? "retry" : undefined;
  const e = error as { name?: unknown; code?: unknown } | null | undefined;
  if (e?.name === "TimeoutError" || e?.name === "APIConnectionTimeoutError" || e?.code === "ETIMEDOUT") return "retry";
  return undefined;
}

/**
 * How long the server asked to wait, from an error's headers (its own, or its `response`'s):
 * `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; undefined when it did
 * not say.
 *
 * @example
 * retryAfterMs({ headers: new Headers({ "retry-after": "2" }) }); // 2000
 */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const e = error as { headers?: unknown; responseHeaders?: unknown; response?: { headers?: unknown } } | null | undefined;
  const h = (e?.headers ?? e?.responseHeaders ?? e?.response?.headers) as { get?: (n: string) => string | null } | Record<string, string> | undefined;
  if (!h || typeof h !== "object") return undefined;
  const get = (name: string): string | undefined => {
    const v = typeof h.get === "function" ? h.get(name) : (h as Record<string, unknown>)[name];
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  const ms = get("retry-after-ms");
  if (ms !== undefined && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = get("retry-after");
  if (ra === undefined) return undefined;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter when the server gave no `retry-after`: 0.5 s, 1 s, 2 s … up to 30 s. */
export function backoffMs(attempt: number, base = 500): number {
  return Math.min(30_000, base * 2 ** attempt) * (0.5 + Math.random() / 2);
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";

/**
 * Runs `attempt` through the limiter of `provider` and `model` until it is not told to slow
 * down or fails otherwise, or the retries run out (then its error is thrown). Each
 * rate-limited retry counts on the case, in all and under `provider/model`.
 *
 * @example
 * const answer = await withLimiter("openai", "gpt-4o-mini", scope, () => doGenerate());
 */
export function withLimiter<T>(provider: string, model: string, scope: CaseScope, attempt: () => PromiseLike<T> | T): Promise<T> {
  return attempts(limiterFor(provider, model), `${provider}/${model}`, scope, attempt, undefined);
}

/**
 * As `withLimiter`, but when a slot is free the first attempt starts synchronously, and a
 * plain (not promise) value it returns comes back as it is: a sync function stays sync.
 * A sync throw is not retried (waiting would make it async).
 *
 * @example
 * const wrapped = (...args) => limitedCall("openai", "gpt-4o", scope, () => fn(...args));
 */
export function limitedCall<T>(provider: string, model: string, scope: CaseScope, attempt: () => T): T | Promise<Awaited<T>> {
  const limiter = limiterFor(provider, model);
  const started = limiter.tryAcquire();
  if (started === undefined) return withLimiter(provider, model, scope, attempt as () => Awaited<T>);
  let result: T;
  try {
    result = attempt();
  } catch (error) {
    if (retryKind(error) === "slow down") limiter.rateLimited(started, retryAfterMs(error) ?? backoffMs(0));
    limiter.release();
    throw error;
  }
  if (!isThenable(result)) {
    limiter.succeeded();
    limiter.release();
    return result;
  }
  return attempts(limiter, `${provider}/${model}`, scope, attempt as () => Awaited<T>, { started, result: result as PromiseLike<Awaited<T>> });
}

async function attempts<T>(limiter: AdaptiveLimiter, key: string, scope: CaseScope, attempt: () => PromiseLike<T> | T, first: { started: number; result: PromiseLike<T> } | undefined): Promise<T> {
  let slowed = 0;
  let failed = 0;
  for (;;) {
    const started = first ? first.started : await limiter.acquire();
    let delay = 0;
    try {
      const value = await (first ? first.result : attempt());
      limiter.succeeded();
      return value;
    } catch (error) {
      const kind = retryKind(error);
      if (kind === "slow down" && slowed < MAX_RATE_LIMIT_RETRIES) {
        limiter.rateLimited(started, retryAfterMs(error) ?? backoffMs(slowed));
        slowed++;
        scope.retries++;
        const by = (scope.retriesBy ??= {});
        by[key] = (by[key] ?? 0) + 1;
      } else if (kind === "retry" && failed < MAX_ERROR_RETRIES) {
        delay = Math.min(MAX_WAIT_MS, retryAfterMs(error) ?? backoffMs(failed, 250));
        failed++;
      } else throw error;
    } finally {
      first = undefined;
      limiter.release();
    }
    // A server error: this call waits (out of its slot); the others go on.
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }
}
