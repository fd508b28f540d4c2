/**
 * The SDKs' `create()` returns an `APIPromise`: a lazy Promise with `withResponse()`,
 * `asResponse()` and `_thenUnwrap()` (which their own helpers such as `parse()` use).
 * These keep all of them working while passing the parsed value through a hook.
 */
import { report } from "./recorder";

export interface PromiseHooks {
  /** Sees the parsed value and returns what the caller gets (the same stream, watched). */
  value(data: unknown): unknown;
  error(error: unknown): void;
  /** The caller took the raw HTTP response instead of the parsed value. */
  raw(): void;
}

type ApiPromiseLike = PromiseLike<unknown> & {
  withResponse?: () => Promise<{ data: unknown; response: unknown; request_id?: unknown }>;
  asResponse?: () => Promise<unknown>;
  _thenUnwrap?: (transform: (data: unknown, props: unknown) => unknown) => ApiPromiseLike;
};

/**
 * A Proxy over the SDK's promise whose `then`, `catch`, `finally` and `withResponse().data`
 * give the hooked value; everything else is the original's.
 */
export function trackPromise<P extends PromiseLike<unknown>>(promise: P, hooks: PromiseHooks): P {
  let seen = false;
  let mapped: unknown;
  // The value is seen once, whichever way the caller reads it.
  const value = (data: unknown) => {
    if (seen) return mapped;
    seen = true;
    try {
      mapped = hooks.value(data);
    } catch (e) {
      report("log an llm call", e);
      mapped = data;
    }
    return mapped;
  };
  const failed = (error: unknown) => {
    hooks.error(error);
    throw error;
  };
  let parsed: Promise<unknown> | undefined;
  const settle = () => (parsed ??= Promise.resolve(promise.then(value, failed)));
  const target = promise as unknown as ApiPromiseLike;

  return new Proxy(promise, {
    get(t, prop) {
      switch (prop) {
        case "then":
          return (onValue?: (v: unknown) => unknown, onError?: (e: unknown) => unknown) => settle().then(onValue, onError);
        case "catch":
          return (onError?: (e: unknown) => unknown) => settle().catch(onError);
        case "finally":
          return (onFinally?: () => void) => settle().finally(onFinally);
        case "withResponse":
          if (typeof target.withResponse !== "function") break;
          return async () => {
            const [data, full] = await Promise.all([settle(), target.withResponse!()]);
            return { ...full, data };
          };
        case "asResponse":
          if (typeof target.asResponse !== "function") break;
          return () =>
            target.asResponse!().then((response) => {
              hooks.raw();
              return response;
            }, failed);
        case "_thenUnwrap":
          if (typeof target._thenUnwrap !== "function") break;
          return (transform: (data: unknown, props: unknown) => unknown) =>
            trackPromise(target._thenUnwrap!((data, props) => transform(value(data), props)), { value: (d) => d, error: hooks.error, raw: hooks.raw });
      }
      const v = Reflect.get(t, prop, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
}

/**
 * An answer from the cache, shaped like the SDK's promise: `withResponse()` and
 * `asResponse()` give a synthetic `Response` (header `x-scryptorum-cache: hit`).
 */
export function cachedPromise(data: unknown, body: () => string, contentType = "application/json"): Promise<unknown> {
  const response = () => new Response(body(), { status: 200, headers: { "content-type": contentType, "x-scryptorum-cache": "hit" } });
  const p = Promise.resolve(data) as Promise<unknown> & Record<string, unknown>;
  p.withResponse = async () => ({ data, response: response(), request_id: null });
  p.asResponse = async () => response();
  p._thenUnwrap = (transform: (data: unknown, props: unknown) => unknown) =>
    cachedPromise(transform(data, { response: response() }), body, contentType);
  return p;
}
