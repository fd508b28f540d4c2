/**
 * Tracking real LLM clients without patching modules: typed Proxies and an AI SDK middleware.
 *
 * One folder per provider, the parts they share apart:
 *   openai/     wrapOpenAI (index.ts) and one file per endpoint: chat, responses, embeddings
 *   anthropic/  wrapAnthropic (index.ts) and the messages endpoint
 *   ai-sdk/     scryptorumMiddleware (index.ts) and reading what a model returns (read.ts)
 *   shared/     what every provider uses: proxy (hooking SDK methods), sdk-call (the hook:
 *               cache, limiter, recorder), recorder (the one place that writes `llm_call`),
 *               stream and api-promise (watching without changing what the caller gets),
 *               limiter (per provider and model), shape (reading loose payloads)
 * Provider folders import shared/, never each other; shared/ imports no provider folder.
 */
export { wrapOpenAI } from "./openai";
export { wrapAnthropic } from "./anthropic";
export { scryptorumMiddleware, type ScryptorumMiddleware, type ScryptorumMiddlewareOptions } from "./ai-sdk";
