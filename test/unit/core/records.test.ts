import { describe, expect, test } from "bun:test";
import { describeError, errorOf, hasError, LastValues, llmCallFields, setLastValue } from "../../../src/core/records";

describe("describeError: one error shape for every record", () => {
  test("an Error: name, message, stack", () => {
    const e = describeError(new TypeError("bad input"));
    expect(e).toMatchObject({ name: "TypeError", message: "bad input" });
    expect(e.stack).toContain("bad input");
    expect(e.status_code).toBeUndefined();
  });

  test("an SDK error: class name when name is 'Error', status_code from status or statusCode", () => {
    class RateLimitError extends Error {
      status = 429;
    }
    expect(describeError(new RateLimitError("slow down"))).toMatchObject({ name: "RateLimitError", message: "slow down", status_code: 429 });
    expect(describeError({ name: "APICallError", message: "gone", statusCode: 503 })).toEqual({ name: "APICallError", message: "gone", status_code: 503 });
  });

  test.each([
    ["a string", "timeout", { name: "Error", message: "timeout" }],
    ["null", null, { name: "Error", message: "null" }],
    ["a number", 42, { name: "Error", message: "42" }],
    ["a plain object without message", { code: 7 }, { name: "Error", message: '{"code":7}' }],
  ])("%s", (_label, thrown, expected) => {
    expect(describeError(thrown)).toEqual(expected);
  });
});

describe("errorOf: readers accept every shape written so far", () => {
  test.each([
    ["none", {}, undefined],
    ["empty string", { error: "" }, undefined],
    ["a timing's message", { error: "boom" }, { name: "Error", message: "boom" }],
    ["round-1 client wrapper: status_code beside the error", { error: { name: "RateLimitError", message: "429" }, status_code: 429 }, { name: "RateLimitError", message: "429", status_code: 429 }],
    ["llmCall's {name, message, stack}", { error: { name: "Error", message: "x", stack: "Error: x" } }, { name: "Error", message: "x", stack: "Error: x" }],
    ["the current shape", { error: { name: "E", message: "m", status_code: 500 } }, { name: "E", message: "m", status_code: 500 }],
  ])("%s", (_label, record, expected) => {
    expect(errorOf(record as Record<string, unknown>)).toEqual(expected as never);
    expect(hasError(record as Record<string, unknown>)).toBe(expected !== undefined);
  });
});

describe("llmCallFields: the one llm_call builder", () => {
  test("standard fields in a fixed order, usage normalised, error described, extras after", () => {
    const r = llmCallFields({
      model: "gpt-4o",
      input: "hi",
      output: null,
      durationMs: 12.5,
      spanId: "s1",
      parentSpanId: "p1",
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      costUsd: null,
      error: Object.assign(new Error("rate limited"), { status: 429 }),
      extra: { provider: "openai", skipped: undefined, model: "not me" },
    });
    expect(Object.keys(r)).toEqual(["model", "input", "output", "duration_ms", "span_id", "parent_span_id", "usage", "cost_usd", "error", "status_code", "provider"]);
    expect(r.usage).toEqual({ input_tokens: 10, output_tokens: 2, total_tokens: 12 });
    expect(r.error).toMatchObject({ name: "Error", message: "rate limited", status_code: 429 });
    expect(r.status_code).toBe(429);
    expect(r.model).toBe("gpt-4o");
  });

  test("a usage shape nobody knows is kept as given; an extra named __proto__ stays a field", () => {
    const extra = JSON.parse('{"__proto__": {"polluted": true}}');
    const r = llmCallFields({ model: "m", durationMs: 1, spanId: "s", usage: { weird: 1 }, extra }) as unknown as Record<string, unknown>;
    expect(r.usage).toEqual({ weird: 1 });
    expect(Object.hasOwn(r, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect("error" in r).toBe(false);
  });

  test("a failure that threw undefined still records an error", () => {
    expect(llmCallFields({ model: "m", durationMs: 1, spanId: "s", error: undefined, failed: true }).error).toEqual({ name: "Error", message: "null" } as never);
  });
});

describe("the last-value rule", () => {
  test("last record in written order wins, whatever its type; bad names ignored; __proto__ a plain key", () => {
    const l = new LastValues();
    l.add({ name: "loss", value: 0.5 });
    l.add({ name: "loss", value: "n/a" });
    l.add({ name: 3, value: 1 });
    l.add({ name: "__proto__", value: 7 });
    expect(l.values.loss).toBe("n/a");
    expect(Object.keys(l.values)).toEqual(["loss", "__proto__"]);
    const t: Record<string, unknown> = {};
    setLastValue(t, "a", 1);
    setLastValue(t, "a", 2);
    expect(t).toEqual({ a: 2 });
  });
});
