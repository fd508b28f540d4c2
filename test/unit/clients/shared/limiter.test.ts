import { describe, expect, test } from "bun:test";
import { AdaptiveLimiter, retryAfterMs } from "../../../../src/clients/shared/limiter";

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
