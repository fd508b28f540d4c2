/**
 * The hook shared by the openai and Anthropic wrappers: outside a run the call goes
 * straight through; inside one it is answered from the cache when asked and possible,
 * else made, and logged once its answer is parsed or its stream ends.
 */
import { cacheEnabled, cacheKey, projectRootOfRunDir, readCacheEntry, semanticRequest } from "../../cache";
import type { RunContext as Context } from "../../core/run";
import { currentCase, type CaseScope } from "../../core/scope";
import { currentContext } from "../../tracking/context";
import { cachedPromise, trackPromise } from "./api-promise";
import { withLimiter } from "./limiter";
import type { Hook } from "./proxy";
import { CallRecorder, type Accumulator, type CallSpec, type Outcome } from "./recorder";
import { observeStream, ReplayStream } from "./stream";

import type { Obj } from "./shape";

/** How one SDK endpoint reads: its request, its response and its stream. */
export interface Endpoint {
  provider: string;
  api: string;
  /** Request options that change neither the answer nor its shape: left out of the cache key. */
  ignore: readonly string[];
  describe(body: Obj): Pick<CallSpec, "input" | "params" | "extra">;
  read(response: unknown): Outcome;
  accumulate(): Accumulator;
}

/**
 * The hook for one endpoint's `create(body, options)`. Inside an `evaluate()` case the call
 * goes through its provider and model's adaptive limiter (src/clients/shared/limiter.ts), which
 * retries 429/503/529 answers; each attempt is logged as its own `llm_call`.
 */
export function endpointHook(endpoint: Endpoint): Hook {
  return (original, self, args) => {
    const ctx = currentContext();
    const body = args[0];
    if (ctx === undefined || body === null || typeof body !== "object") return Reflect.apply(original, self, args);
    const scope = currentCase();
    if (scope) return limited(endpoint, String((body as Obj).model ?? ""), scope, () => once(endpoint, ctx, body as Obj, original, self, args));
    return once(endpoint, ctx, body as Obj, original, self, args);
  };
}

/** One attempt: answered from the cache when asked and possible, else made; logged once. */
function once(endpoint: Endpoint, ctx: Context, b: Obj, original: (...args: unknown[]) => unknown, self: object, args: unknown[]): unknown {
  const spec: CallSpec = { provider: endpoint.provider, api: endpoint.api, model: String(b.model ?? ""), ...endpoint.describe(b) };
  const rec = new CallRecorder(ctx.run, ctx.spanId, spec);
  const streaming = b.stream === true;

  if (cacheEnabled()) {
    const hit = lookUp(rec, endpoint, b, ctx.run.dir);
    if (hit) return streaming ? replay(rec, endpoint, hit.chunks) : answer(rec, endpoint, hit.response);
  }

  let result: unknown;
  try {
    result = Reflect.apply(original, self, args);
  } catch (error) {
    rec.finish(undefined, { error, stream: streaming || undefined });
    throw error;
  }
  if (!result || typeof (result as PromiseLike<unknown>).then !== "function") return result;
  return trackPromise(result as PromiseLike<unknown>, {
    value: (data) => {
      if (streaming && isAsyncIterable(data)) return watch(rec, endpoint, data);
      rec.finish(endpoint.read(data));
      rec.store({ response: data });
      return data;
    },
    error: (error) => rec.finish(undefined, { error, stream: streaming || undefined }),
    raw: () => rec.finish(undefined, { raw: true, stream: streaming || undefined }),
  });
}

type Full = { data: unknown; response?: unknown; request_id?: unknown };
type WithResponse = PromiseLike<unknown> & { withResponse?: () => Promise<Full> };

/**
 * Makes attempts through the limiter of the call's provider and model until one is not
 * told to slow down (or the retries run out). Returns a promise shaped like the SDK's
 * (`withResponse()`, `asResponse()`, `_thenUnwrap()`), so its helpers keep working.
 */
function limited(endpoint: Endpoint, model: string, scope: CaseScope, attempt: () => unknown): unknown {
  return apiPromiseOf(
    withLimiter(endpoint.provider, model, scope, async (): Promise<Full> => {
      const p = attempt() as WithResponse;
      return typeof p?.withResponse === "function" ? await p.withResponse() : { data: await p };
    }),
  );
}

function apiPromiseOf(full: Promise<Full>): Promise<unknown> {
  const p = full.then((f) => f.data) as Promise<unknown> & Record<string, unknown>;
  p.withResponse = () => full;
  p.asResponse = () => full.then((f) => f.response);
  p._thenUnwrap = (transform: (data: unknown, props: unknown) => unknown) =>
    apiPromiseOf(full.then((f) => ({ ...f, data: transform(f.data, { response: f.response }) })));
  return p;
}

/** Looks the request up in the cache; on a miss the recorder keeps the key to store the answer. */
function lookUp(rec: CallRecorder, endpoint: Endpoint, body: Obj, runDir: string): { response?: unknown; chunks?: unknown[] } | undefined {
  const root = projectRootOfRunDir(runDir);
  if (!root) return undefined;
  const key = cacheKey(endpoint.provider, endpoint.api, rec.spec.model, body, endpoint.ignore);
  rec.useCache(root, key, semanticRequest(body, endpoint.ignore));
  const entry = readCacheEntry(root, endpoint.provider, key);
  if (!entry) return undefined;
  // A stream is only answered from chunks, a plain call from a response.
  if (body.stream === true ? !Array.isArray(entry.chunks) : entry.response === undefined) return undefined;
  return entry;
}

function answer(rec: CallRecorder, endpoint: Endpoint, response: unknown): unknown {
  rec.finish(endpoint.read(response), { cacheHit: true });
  return cachedPromise(response, () => JSON.stringify(response));
}

function replay(rec: CallRecorder, endpoint: Endpoint, chunks: unknown[] = []): unknown {
  const acc = endpoint.accumulate();
  for (const chunk of chunks) acc.add(chunk);
  rec.finish(acc.result(), { cacheHit: true, stream: true });
  return cachedPromise(new ReplayStream(chunks), () => toSse(chunks), "text/event-stream");
}

/** Watches a stream: logs what arrived once it ends, and caches it when it ended whole. */
function watch(rec: CallRecorder, endpoint: Endpoint, stream: object): unknown {
  const acc = endpoint.accumulate();
  const chunks: unknown[] | undefined = rec.caching ? [] : undefined;
  return observeStream(stream, {
    chunk(value) {
      if (acc.add(value)) rec.firstToken();
      chunks?.push(value);
    },
    end(how, error) {
      if (how === "done") {
        rec.finish(acc.result(), { stream: true });
        if (chunks) rec.store({ chunks });
      } else if (how === "aborted") {
        rec.finish(acc.result(), { stream: true, aborted: true });
      } else {
        rec.finish(acc.result(), { stream: true, error, aborted: isAbort(error) || undefined });
      }
    },
  });
}

function toSse(chunks: unknown[]): string {
  return chunks
    .map((c) => {
      const type = (c as Obj | null)?.type;
      return `${typeof type === "string" ? `event: ${type}\n` : ""}data: ${JSON.stringify(c)}\n\n`;
    })
    .join("");
}

function isAsyncIterable(value: unknown): value is object {
  return value !== null && typeof value === "object" && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

function isAbort(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === "AbortError" || name === "APIUserAbortError";
}
