/**
 * Prompts and outputs in the OpenTelemetry GenAI shape (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`): messages of `{ role, parts }`,
 * each part `{ type: "text", content }`, `{ type: "tool_call", id, name, arguments }`,
 * `{ type: "tool_call_response", id, response }` or, for anything else, the provider's part
 * as it was logged. Read from what the OpenAI, Anthropic and AI SDK wrappers log, and from
 * whatever `llmCall` was given.
 */

type Obj = Record<string, unknown>;
export type Part = Obj & { type: string };
export interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? String(v));

/** One part of a message's content, from the shapes of OpenAI, Anthropic and the AI SDK. */
function toPart(p: unknown): Part {
  if (typeof p === "string") return { type: "text", content: p };
  const o = obj(p);
  if (!o) return { type: "text", content: text(p) };
  const type = typeof o.type === "string" ? o.type : "";
  if ((type === "text" || type === "input_text" || type === "output_text") && typeof o.text === "string") return { type: "text", content: o.text };
  if (type === "text" && typeof o.content === "string") return { type: "text", content: o.content };
  if (type === "reasoning" || type === "thinking") return { type: "reasoning", content: text(o.text ?? o.thinking ?? o.summary ?? "") };
  // Anthropic tool_use, AI SDK tool-call, OpenAI responses function_call.
  if (type === "tool_use" || type === "tool-call" || type === "function_call") {
    return { type: "tool_call", id: o.id ?? o.toolCallId ?? o.call_id ?? null, name: o.name ?? o.toolName ?? null, arguments: o.input ?? o.args ?? o.arguments ?? null };
  }
  if (type === "tool_result" || type === "tool-result" || type === "function_call_output") {
    return { type: "tool_call_response", id: o.tool_use_id ?? o.toolCallId ?? o.call_id ?? null, response: o.content ?? o.output ?? o.result ?? null };
  }
  // OpenAI chat's tool_calls entries.
  if (type === "function" && obj(o.function)) {
    const f = o.function as Obj;
    return { type: "tool_call", id: o.id ?? null, name: f.name ?? null, arguments: f.arguments ?? null };
  }
  return { ...o, type: type || "unknown" };
}

function toParts(content: unknown): Part[] {
  if (content === undefined || content === null) return [];
  return Array.isArray(content) ? content.map(toPart) : [toPart(content)];
}

/** A chat message ({role, content}), or null when `m` is not one. */
function toMessage(m: unknown): Message | null {
  const o = obj(m);
  if (!o || typeof o.role !== "string") return null;
  const parts = toParts(o.content);
  if (Array.isArray(o.tool_calls)) for (const c of o.tool_calls) parts.push(toPart(c));
  if (o.role === "tool") return { role: "tool", parts: [{ type: "tool_call_response", id: o.tool_call_id ?? null, response: o.content ?? null }] };
  return { role: o.role, parts };
}

/**
 * The input messages of a call: a list of chat messages as they are, anything else (a
 * prompt string, `llmCall`'s arguments) as one user message.
 *
 * @example
 * inputMessages("hi"); // [{ role: "user", parts: [{ type: "text", content: "hi" }] }]
 */
export function inputMessages(input: unknown): Message[] {
  if (Array.isArray(input) && input.length > 0) {
    const messages = input.map(toMessage);
    if (messages.every((m) => m !== null)) return messages as Message[];
  }
  const single = toMessage(input);
  if (single) return [single];
  return [{ role: "user", parts: toParts(input) }];
}

/**
 * The output messages of a call: the assistant's text or parts, with the finish reason.
 *
 * @example
 * outputMessages("Hello", "stop"); // [{ role: "assistant", parts: [{ type: "text", content: "Hello" }], finish_reason: "stop" }]
 */
export function outputMessages(output: unknown, finishReason?: string): Message[] {
  const messages = Array.isArray(output) && output.length > 0 && output.every((m) => obj(m) && typeof (m as Obj).role === "string")
    ? output.map((m) => toMessage(m)!)
    : [toMessage(output) ?? { role: "assistant", parts: toParts(output) }];
  if (finishReason !== undefined) for (const m of messages) m.finish_reason = finishReason;
  return messages;
}

/**
 * System instructions given apart from the messages (Anthropic's `system`, OpenAI responses'
 * `instructions`) as parts.
 *
 * @example
 * systemInstructions("Be brief."); // [{ type: "text", content: "Be brief." }]
 */
export function systemInstructions(system: unknown): Part[] {
  return toParts(system);
}
