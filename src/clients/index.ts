/** Tracking real LLM clients without patching modules: typed Proxies and an AI SDK middleware. */
export { wrapOpenAI } from "./openai";
export { wrapAnthropic } from "./anthropic";
export { scryptorumMiddleware, type ScryptorumMiddleware, type ScryptorumMiddlewareOptions } from "./ai-sdk";
