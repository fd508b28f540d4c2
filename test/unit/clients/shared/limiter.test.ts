import { describe, expect, test } from "bun:test";
import { AdaptiveLimiter, limitedCall, limiterFor, MAX_ERROR_RETRIES, retryAfterMs, retryKind, statusOf, withLimiter } from "../../../../src/clients/shared/limiter";
import type { CaseScope } from "../../../../src/core/scope";

describe("retryAfterMs", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  test.each([
    [{ headers: new Headers({ "retry-after-ms": "250", "retry-after": "3" }) }, 250],
    [{ headers: new Headers({ "retry-after": "2" }) }, 2000],
    [{ headers: new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }) }, 5000],
    [{ headers: { "retry-after": "1.5" } }, 1500],
    [{ responseHeaders: { "retry-after": "4" } }, 4000],
    [{ headers: new Headers({ "retry-after": "soon" }) }, undefined],
    [{ headers: new Headers() }, undefined],
    [new Error("no headers"), undefined],
  ])("%p -> %p", (error, ms) => {
    expect(retryAfterMs(error, now)).toBe(ms);
  });
});

describe("AdaptiveLimiter", () => {
  test("a 429 halves the calls let through at once; successes grow it back to where it started", async () => {
    const l = new AdaptiveLimiter();
    const starts = await Promise.all(Array.from({ length: 8 }, () => l.acquire()));
    expect(l.inFlight).toBe(8);
    l.rateLimited(starts[0]!, 0);
    expect(l.limit).toBe(4);
    // The rest of the same wave does not halve again.
    l.rateLimited(starts[1]!, 0);
    expect(l.limit).toBe(4);
    for (let i = 0; i < 8; i++) l.release();
    for (let i = 0; i < 4; i++) l.succeeded();
    expect(l.limit).toBe(5);
    for (let i = 0; i < 5 + 6 + 7; i++) l.succeeded();
    expect(l.limit).toBe(Number.POSITIVE_INFINITY);
    expect(l.limited).toBe(2);
  });

  test("retry-after pauses every new call until it has passed", async () => {
    const l = new AdaptiveLimiter();
    const started = await l.acquire();
    const t0 = performance.now();
    l.rateLimited(started, 80);
    l.release();
    await l.acquire();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    l.release();
  });

  test("waiting calls are let through as slots free up, never more than the limit", async () => {
    const l = new AdaptiveLimiter();
    const first = await Promise.all([l.acquire(), l.acquire()]);
    l.rateLimited(first[0]!, 0); // limit 1
    let peak = 0;
    const work = Array.from({ length: 5 }, async () => {
      await l.acquire();
      peak = Math.max(peak, l.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      l.release();
    });
    l.release();
    l.release();
    await Promise.all(work);
    expect(peak).toBe(1);
  });
});

describe("what the limiter retries", () => {
  test.each([
    [{ status: 429 }, "slow down"],
    [{ statusCode: 503 }, "slow down"],
    [{ response: { status: 529 } }, "slow down"],
    [{ status: 500 }, "retry"],
    [{ response: { status: 502 } }, "retry"],
    [{ status: 408 }, "retry"],
    [new DOMException("The operation timed out.", "TimeoutError"), "retry"],
    [Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }), "retry"],
    [{ status: 400 }, undefined],
    [new Error("bad answer"), undefined],
  ])("retryKind %#", (error, kind) => {
    expect(retryKind(error)).toBe(kind as ReturnType<typeof retryKind>);
  });

  test("an HTTP client's error: status and retry-after read from its response", () => {
    const error = Object.assign(new Error("HTTP 429"), { response: new Response("", { status: 429, headers: { "retry-after": "3" } }) });
    expect(statusOf(error)).toBe(429);
    expect(retryAfterMs(error)).toBe(3000);
  });
});

const scope = () => ({ caseId: "c", trial: 0, cost: 0, retries: 0 }) as CaseScope;
const fails = (errors: unknown[], value = "ok") => {
  let calls = 0;
  return { calls: () => calls, fn: () => (calls++ < errors.length ? Promise.reject(errors[calls - 1]) : Promise.resolve(value)) };
};

describe("withLimiter and limitedCall", () => {
  test("429s are retried and counted, in all and by provider/model; a 5xx and a timeout retried without counting as rate limits", async () => {
    const s = scope();
    const rate = fails([{ status: 429, headers: { "retry-after-ms": "1" } }, { status: 429, headers: { "retry-after-ms": "1" } }]);
    expect(await withLimiter("p1", "m1", s, rate.fn)).toBe("ok");
    expect(rate.calls()).toBe(3);
    expect(s).toMatchObject({ retries: 2, retriesBy: { "p1/m1": 2 } });
    expect(limiterFor("p1", "m1").limited).toBe(2);
    const server = fails([{ status: 502, headers: { "retry-after-ms": "0" } }, new DOMException("timed out", "TimeoutError")]);
    expect(await withLimiter("p1", "m2", s, server.fn)).toBe("ok");
    expect(server.calls()).toBe(3);
    expect(s.retries).toBe(2);
    expect(limiterFor("p1", "m2").limited).toBe(0);
  });

  test("retries run out: the last error reaches the caller; other errors are not retried", async () => {
    const down = fails(Array.from({ length: 10 }, () => ({ status: 500, headers: { "retry-after-ms": "0" } })));
    expect(await withLimiter("p2", "m", scope(), down.fn).catch((e) => e)).toMatchObject({ status: 500 });
    expect(down.calls()).toBe(1 + MAX_ERROR_RETRIES);
    const bad = fails([{ status: 400 }]);
    expect(await withLimiter("p2", "m", scope(), bad.fn).catch((e) => e)).toMatchObject({ status: 400 });
    expect(bad.calls()).toBe(1);
  });

  test("limitedCall: a sync function stays sync; a promise goes through the same retries", async () => {
    expect(limitedCall("p3", "m", scope(), () => 42)).toBe(42);
    expect(limiterFor("p3", "m").inFlight).toBe(0);
    const s = scope();
    const rate = fails([{ status: 429, headers: { "retry-after-ms": "1" } }]);
    const p = limitedCall("p3", "m", s, rate.fn);
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe("ok");
    expect(s.retries).toBe(1);
    expect(limiterFor("p3", "m").inFlight).toBe(0);
  });
});
