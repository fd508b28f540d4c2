/**
 * One adaptive limiter per provider and model, shared by everything in the process that
 * calls that model through a wrapped client inside an `evaluate()` case: the tasks and the
 * judges. It starts unlimited (the evaluation's own `concurrency` bounds it); a 429 (or 503,
 * or Anthropic's 529 "overloaded") halves the calls it lets through at once and pauses new
 * ones for the answer's `retry-after-ms` / `retry-after` (else an exponential backoff with
 * jitter), and each run of successes lets one more through, back up to where it started.
 * A request that began before the last halving does not halve again: a burst of 429s from
 * one wave of requests counts once, as TCP's congestion control does.
 */
import { runtime } from "../../core/runtime";
import type { CaseScope } from "../../core/scope";

/** Answers that mean "slow down": rate limited, unavailable, overloaded. */
export const RETRYABLE_STATUS = new Set([429, 503, 529]);
/** Attempts after the first before the error reaches the caller. */
export const MAX_RATE_LIMIT_RETRIES = 8;
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

/** The HTTP status an SDK error carries (openai and Anthropic: `status`; the AI SDK: `statusCode`). */
export function statusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown } | null | undefined;
  const s = typeof e?.status === "number" ? e.status : typeof e?.statusCode === "number" ? e.statusCode : undefined;
  return s;
}

/**
 * How long the server asked to wait, from an SDK error's headers: `retry-after-ms`, else
 * `retry-after` in seconds or as an HTTP date; undefined when it did not say.
 *
 * @example
 * retryAfterMs({ headers: new Headers({ "retry-after": "2" }) }); // 2000
 */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const e = error as { headers?: unknown; responseHeaders?: unknown } | null | undefined;
  const h = (e?.headers ?? e?.responseHeaders) as { get?: (n: string) => string | null } | Record<string, string> | undefined;
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
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/**
 * Runs `attempt` through the limiter of `provider` and `model` until it is not told to slow
 * down, or the retries run out (then its error is thrown). Each retry counts on the case.
 *
 * @example
 * const answer = await withLimiter("openai", "gpt-4o-mini", scope, () => doGenerate());
 */
export async function withLimiter<T>(provider: string, model: string, scope: CaseScope, attempt: () => PromiseLike<T> | T): Promise<T> {
  const limiter = limiterFor(provider, model);
  for (let n = 0; ; n++) {
    const started = await limiter.acquire();
    try {
      const value = await attempt();
      limiter.succeeded();
      return value;
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !RETRYABLE_STATUS.has(status) || n >= MAX_RATE_LIMIT_RETRIES) throw error;
      limiter.rateLimited(started, retryAfterMs(error) ?? backoffMs(n));
      scope.retries++;
    } finally {
      limiter.release();
    }
  }
}
