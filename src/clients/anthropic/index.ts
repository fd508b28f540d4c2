/**
 * `wrapAnthropic(client)`: the official `@anthropic-ai/sdk` client, with its
 * `messages.create` calls (plain and `stream: true`) logged as `llm_call` events.
 */
import { wrapClient } from "../shared/proxy";
import { endpointHook } from "../shared/sdk-call";
import { messages } from "./messages";

/**
 * Wraps an `@anthropic-ai/sdk` client: `messages.create` and `beta.messages.create` (and
 * `messages.stream()`, built on it) are logged as `llm_call` events inside the current
 * run, with tokens (cache reads and writes included) and cost; outside a run the calls go
 * straight through. Returns a Proxy typed as the client; the client itself is untouched.
 *
 * @example
 * const anthropic = wrapAnthropic(new Anthropic());
 * await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] });
 */
export function wrapAnthropic<T extends object>(client: T): T {
  const hook = endpointHook(messages);
  return wrapClient(client, { "messages.create": hook, "beta.messages.create": hook });
}
