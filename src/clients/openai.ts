/**
 * `wrapOpenAI(client)`: the official `openai` client, with its chat completions, responses
 * and embeddings calls logged as `llm_call` events inside the current run.
 */
import { chatCompletions } from "./openai-chat";
import { responses } from "./openai-responses";
import { wrapClient } from "./proxy";
import { arr, obj, omit, str, type Obj } from "./shape";
import { endpointHook, type Endpoint } from "./sdk-call";

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

/** Embeddings: the vectors themselves stay out of the log; a count and their size say enough. */
const embeddings: Endpoint = {
  provider: "openai",
  api: "embeddings",
  ignore: ["user"],
  describe: (body) => ({ input: body.input, params: omit(body, ["model", "input"]) }),
  read(response) {
    const r = obj(response) ?? {};
    const data = arr(r.data).map((d) => obj(d) ?? {});
    const first = data[0]?.embedding;
    const output: Obj = { embeddings: data.length };
    if (Array.isArray(first)) output.dimensions = first.length;
    return { output, usage: r.usage ?? undefined, model: str(r.model) };
  },
  accumulate: () => ({ add: () => false, result: () => ({ output: null }) }),
};
