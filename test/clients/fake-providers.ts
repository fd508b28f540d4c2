/**
 * A loopback HTTP server speaking the wire formats of OpenAI (chat completions, responses,
 * embeddings) and Anthropic (messages): JSON answers and server-sent event streams, usage
 * blocks with cached, cache-write and reasoning tokens. The model name picks a failure:
 * "rate-limited" answers 429, "server-error" 500; a model named "flaky-…" answers every
 * fifth request with 429 and `retry-after-ms: 50` (`retry-after: 1`). Chat completions of a
 * model named "echo…" (or "flaky-echo…") answer the last message's text; of "judge…",
 * `{"score", "reason"}` with score 1 when the last message holds "Paris". Every request is
 * counted.
 */

export const TEXT_PARTS = ["Hel", "lo", " wor", "ld"];
export const TEXT = TEXT_PARTS.join("");

export const CHAT_USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1000 },
  completion_tokens_details: { reasoning_tokens: 100 },
};
export const RESPONSES_USAGE = {
  input_tokens: 2000,
  input_tokens_details: { cached_tokens: 1500 },
  output_tokens: 500,
  output_tokens_details: { reasoning_tokens: 400 },
  total_tokens: 2500,
};
export const ANTHROPIC_USAGE = { input_tokens: 100, cache_creation_input_tokens: 200, cache_read_input_tokens: 1000, output_tokens: 50 };

export interface FakeProviders {
  url: string;
  /** Requests served, per path, and in all. */
  counts: Record<string, number>;
  total(): number;
  reset(): void;
  stop(): void;
}

type Body = Record<string, any>;

export function startFakeProviders(): FakeProviders {
  const counts: Record<string, number> = {};
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      counts[path] = (counts[path] ?? 0) + 1;
      const body = (await req.json().catch(() => ({}))) as Body;
      const failure = fail(path, body.model) ?? flaky(body.model);
      if (failure) return failure;
      switch (path) {
        case "/v1/chat/completions":
          return body.stream ? sse(chatChunks(body).map((c) => ({ data: c })), true) : json(chatCompletion(body));
        case "/v1/responses":
          return body.stream ? sse(responseEvents(body).map((e) => ({ event: e.type, data: e }))) : json(response(body));
        case "/v1/embeddings":
          return json(embeddings(body));
        case "/v1/messages":
          return body.stream ? sse(messageEvents(body).map((e) => ({ event: e.type, data: e }))) : json(message(body));
        default:
          return json({ error: { message: `no route ${path}` } }, 404);
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    counts,
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    stop: () => server.stop(true),
  };
}

let flakyCount = 0;
function flaky(model: unknown): Response | undefined {
  if (typeof model !== "string" || !model.startsWith("flaky-") || ++flakyCount % 5 !== 0) return undefined;
  return new Response(JSON.stringify({ error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" } }), {
    status: 429,
    headers: { "content-type": "application/json", "retry-after-ms": "50", "retry-after": "1" },
  });
}

function lastText(body: Body): string {
  const last = Array.isArray(body.messages) ? body.messages[body.messages.length - 1] : undefined;
  const c = last?.content;
  return typeof c === "string" ? c : Array.isArray(c) ? c.map((p: any) => p?.text ?? "").join("") : "";
}

function fail(path: string, model: unknown): Response | undefined {
  const status = model === "rate-limited" ? 429 : model === "server-error" ? 500 : 0;
  if (!status) return undefined;
  const message = status === 429 ? "Rate limit reached for requests" : "The server had an error while processing your request";
  if (path === "/v1/messages") {
    return json({ type: "error", error: { type: status === 429 ? "rate_limit_error" : "api_error", message } }, status);
  }
  return json({ error: { message, type: status === 429 ? "requests" : "server_error", code: status === 429 ? "rate_limit_exceeded" : null } }, status);
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", "x-request-id": "req_test" } });
}

function sse(events: { event?: string; data: unknown }[], done = false): Response {
  let text = events.map((e) => `${e.event ? `event: ${e.event}\n` : ""}data: ${JSON.stringify(e.data)}\n\n`).join("");
  if (done) text += "data: [DONE]\n\n";
  return new Response(text, { headers: { "content-type": "text/event-stream", "x-request-id": "req_test" } });
}

const dated = (model: unknown, suffix: string) => (typeof model === "string" && !/\d{4}/.test(model) ? `${model}${suffix}` : model);

// ---- OpenAI chat completions --------------------------------------------------------

function chatContent(body: Body): string {
  const model = String(body.model ?? "").replace(/^flaky-/, "");
  if (model.startsWith("echo")) return lastText(body);
  if (model.startsWith("judge")) {
    const ok = lastText(body).includes("Paris");
    return JSON.stringify({ score: ok ? 1 : 0, reason: ok ? "names Paris" : "does not name Paris" });
  }
  return body.response_format?.type === "json_schema" || body.response_format?.type === "json_object" ? JSON.stringify({ answer: TEXT }) : TEXT;
}

function chatCompletion(body: Body) {
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_767_225_600,
    model: dated(body.model, "-2024-07-18"),
    choices: [
      {
        index: 0,
        message: tools
          ? { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_1", type: "function", function: { name: body.tools[0].function.name, arguments: '{"city":"Paris"}' } }] }
          : { role: "assistant", content: chatContent(body), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: tools ? "tool_calls" : "stop",
      },
    ],
    usage: CHAT_USAGE,
  };
}

function chatChunks(body: Body) {
  const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1_767_225_600, model: dated(body.model, "-2024-07-18") };
  const withUsage = body.stream_options?.include_usage === true;
  const extra = withUsage ? { usage: null } : {};
  const content = chatContent(body);
  const parts = content === TEXT ? TEXT_PARTS : [content];
  const chunks: unknown[] = [
    { ...base, ...extra, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...parts.map((p) => ({ ...base, ...extra, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })),
    { ...base, ...extra, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  ];
  if (withUsage) chunks.push({ ...base, choices: [], usage: CHAT_USAGE });
  return chunks;
}

// ---- OpenAI responses ------------------------------------------------------------------

function responseText(body: Body): string {
  return body.text?.format?.type === "json_schema" || body.text?.format?.type === "json_object" ? JSON.stringify({ answer: TEXT }) : TEXT;
}

function response(body: Body, status = "completed") {
  return {
    id: "resp_1",
    object: "response",
    created_at: 1_767_225_600,
    status,
    model: dated(body.model, "-2025-08-07"),
    output:
      status === "completed"
        ? [
            { type: "reasoning", id: "rs_1", summary: [] },
            { type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: responseText(body), annotations: [] }] },
          ]
        : [],
    usage: status === "completed" ? RESPONSES_USAGE : null,
  };
}

function responseEvents(body: Body) {
  let seq = 0;
  return [
    { type: "response.created", sequence_number: seq++, response: response(body, "in_progress") },
    ...TEXT_PARTS.map((delta) => ({ type: "response.output_text.delta", sequence_number: seq++, item_id: "msg_1", output_index: 1, content_index: 0, delta })),
    { type: "response.completed", sequence_number: seq++, response: response(body) },
  ];
}

// ---- OpenAI embeddings -------------------------------------------------------------------

function embeddings(body: Body) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = [0.25, -0.5, 0.75];
  const encode = () => Buffer.from(new Float32Array(vector).buffer).toString("base64");
  return {
    object: "list",
    model: body.model,
    data: inputs.map((_: unknown, index: number) => ({ object: "embedding", index, embedding: body.encoding_format === "base64" ? encode() : vector })),
    usage: { prompt_tokens: 8 * inputs.length, total_tokens: 8 * inputs.length },
  };
}

// ---- Anthropic messages ------------------------------------------------------------------

function message(body: Body) {
  return {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: dated(body.model, "-20250929"),
    content: [{ type: "text", text: TEXT }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  };
}

function messageEvents(body: Body) {
  const start = { ...message(body), content: [], stop_reason: null, usage: { ...ANTHROPIC_USAGE, output_tokens: 1 } };
  return [
    { type: "message_start", message: start },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "ping" },
    ...TEXT_PARTS.map((text) => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } })),
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: ANTHROPIC_USAGE.output_tokens } },
    { type: "message_stop" },
  ];
}
