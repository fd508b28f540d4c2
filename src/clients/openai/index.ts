/**
 * `wrapOpenAI(client)`: the official `openai` client, with its chat completions, responses
 * and embeddings calls logged as `llm_call` events inside the current run.
 */
import { chatCompletions } from "./chat";
import { embeddings } from "./embeddings";
import { responses } from "./responses";
import { wrapClient } from "../shared/proxy";
import { endpointHook } from "../shared/sdk-call";

/**
 * Wraps an `openai` client: `chat.completions.create`, `responses.create` and
 * `embeddings.create` (and the SDK helpers built on them, such as `chat.completions.parse`
 * and `.stream`) are logged as `llm_call` events inside the current run, with tokens and
 * cost; outside a run the calls go straight through. Returns a Proxy typed as the client;
 * the client itself is left untouched.
 *
 * Token counts of a chat completion stream need `stream_options: { include_usage: true }`:
 * without it OpenAI sends none, and the call is logged with `cost_usd: null`.
 *
 * @example
 * const openai = wrapOpenAI(new OpenAI());
 * await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 */
export function wrapOpenAI<T extends object>(client: T): T {
  return wrapClient(client, {
    "chat.completions.create": endpointHook(chatCompletions),
    "responses.create": endpointHook(responses),
    "embeddings.create": endpointHook(embeddings),
  });
}
