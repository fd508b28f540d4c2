/**
 * `scryptorumMiddleware()`: a Vercel AI SDK language model middleware, for
 * `wrapLanguageModel({ model, middleware })`. It sees every model call that
 * `generateText`, `streamText`, `generateObject` and `streamObject` make (one per step).
 */
import { cacheEnabled, cacheKey, projectRootOfRunDir, providerFolder, readCacheEntry, semanticRequest } from "../../cache";
import { currentCase } from "../../core/scope";
import { currentContext } from "../../tracking/context";
import { withLimiter } from "../shared/limiter";
import { PartStream, readResult, replay, reviveDates, storableResult } from "./read";
import { CallRecorder } from "../shared/recorder";
import { obj, omit } from "../shared/shape";
import { observeReadable } from "../shared/stream";


/** Call options that change neither the answer nor its shape: not part of the cache key. */
const NON_SEMANTIC = ["abortSignal", "headers"];

interface ModelInfo {
  readonly provider?: string;
  readonly modelId?: string;
}

export interface ScryptorumMiddlewareOptions {
  /**
   * The middleware specification version to declare. The AI SDK does not check it at run
   * time; the type accepts any version, so one value works from `ai` v5 to v7.
   */
  specificationVersion?: string;
}

/**
 * A language model middleware for any AI SDK version from 5 on (`LanguageModelV2Middleware`
 * in v5, `LanguageModelV3Middleware` in v6, `LanguageModelV4Middleware` in v7): its
 * members are typed loosely so it fits each.
 */
export interface ScryptorumMiddleware {
  // `any`: each AI SDK major declares its own literal ("v2", "v3", "v4").
  readonly specificationVersion: any;
  wrapGenerate<R>(options: { doGenerate: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R>;
  wrapStream<R>(options: { doStream: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R>;
}

/**
 * Logs each model call of the Vercel AI SDK as an `llm_call` event inside the current run
 * (tokens, cost, time to first token for streams); outside a run it does nothing. With
 * `SCRYPTORUM_CACHE=1` the answers come from the project's cache when they can.
 *
 * @example
 * const model = wrapLanguageModel({ model: openai("gpt-4o-mini"), middleware: scryptorumMiddleware() });
 * const { text } = await generateText({ model, prompt: "Hi" });
 */
export function scryptorumMiddleware(opts: ScryptorumMiddlewareOptions = {}): ScryptorumMiddleware {
  return {
    specificationVersion: opts.specificationVersion ?? "v3",

    // Inside an evaluate() case, each call waits on its provider and model's rate limiter (src/clients/shared/limiter.ts).
    async wrapGenerate<R>(call: { doGenerate: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R> {
      const scope = currentCase();
      if (scope && currentContext()) return withLimiter(providerFolder(String(call.model.provider ?? "unknown")), String(call.model.modelId ?? ""), scope, () => generateOnce(call));
      return generateOnce(call);
    },

    async wrapStream<R>(call: { doStream: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R> {
      const scope = currentCase();
      if (scope && currentContext()) return withLimiter(providerFolder(String(call.model.provider ?? "unknown")), String(call.model.modelId ?? ""), scope, () => streamOnce(call));
      return streamOnce(call);
    },
  };
}

/** One model call (one attempt, when the rate limiter retries). */
async function generateOnce<R>({ doGenerate, params, model }: { doGenerate: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R> {
  const call = begin(params, model, "generate");
  if (!call) return doGenerate();
  const { rec, hit } = call;
  if (hit?.response !== undefined) {
    const result = reviveDates(hit.response);
    rec.finish(readResult(result), { cacheHit: true });
    return result as R;
  }
  let result: R;
  try {
    result = await doGenerate();
  } catch (error) {
    rec.finish(undefined, { error });
    throw error;
  }
  rec.finish(readResult(result));
  if (rec.caching) rec.store({ response: storableResult(result) });
  return result;
}

/** One streamed model call: settles when the stream starts. */
async function streamOnce<R>({ doStream, params, model }: { doStream: () => PromiseLike<R>; params: unknown; model: ModelInfo }): Promise<R> {
  const call = begin(params, model, "stream");
  if (!call) return doStream();
  const { rec, hit } = call;
  if (hit?.chunks) {
    const parts = hit.chunks.map(reviveDates);
    const acc = new PartStream();
    for (const p of parts) acc.add(p);
    rec.finish(acc.result(), { cacheHit: true, stream: true });
    return { stream: replay(parts), request: {}, response: { headers: {} } } as R;
  }
  let result: R;
  try {
    result = await doStream();
  } catch (error) {
    rec.finish(undefined, { error, stream: true });
    throw error;
  }
  const r = result as R & { stream?: ReadableStream<unknown> };
  if (!(r.stream instanceof ReadableStream)) return result;
  const acc = new PartStream();
  const parts: unknown[] | undefined = rec.caching ? [] : undefined;
  const stream = observeReadable(r.stream, {
    chunk(part) {
      if (acc.add(part)) rec.firstToken();
      parts?.push(part);
    },
    end(how, error) {
      const outcome = acc.result();
      const failure = error ?? acc.error;
      if (how === "aborted") rec.finish(outcome, { stream: true, aborted: true });
      else if (failure !== undefined) rec.finish(outcome, { stream: true, error: failure });
      else {
        rec.finish(outcome, { stream: true });
        if (parts) rec.store({ chunks: parts });
      }
    },
  });
  return { ...r, stream };
}

/** Opens the call's record inside a run (else undefined) and looks it up in the cache. */
function begin(params: unknown, model: ModelInfo, kind: "generate" | "stream") {
  const ctx = currentContext();
  if (ctx === undefined) return undefined;
  const p = obj(params) ?? {};
  const api = String(model.provider ?? "unknown");
  const rec = new CallRecorder(ctx.run, ctx.spanId, {
    provider: providerFolder(api),
    api,
    model: String(model.modelId ?? ""),
    input: p.prompt,
    params: omit(p, ["prompt", ...NON_SEMANTIC]),
  });
  let hit: { response?: unknown; chunks?: unknown[] } | undefined;
  if (cacheEnabled()) {
    const root = projectRootOfRunDir(ctx.run.dir);
    if (root) {
      const key = cacheKey(api, kind, rec.spec.model, p, NON_SEMANTIC);
      rec.useCache(root, key, semanticRequest(p, NON_SEMANTIC));
      const entry = readCacheEntry(root, api, key);
      if (entry && (kind === "stream" ? Array.isArray(entry.chunks) : entry.response !== undefined)) hit = entry;
    }
  }
  return { rec, hit };
}
