/** Reading what a Vercel AI SDK model returns: a generate result, stream parts, cached copies. */
import type { Accumulator, Outcome } from "../shared/recorder";
import { arr, obj, omit, str, type Obj } from "../shared/shape";

/** What a `doGenerate` result says. */
export function readResult(result: unknown): Outcome {
  const r = obj(result) ?? {};
  const response = obj(r.response) ?? {};
  return {
    output: Array.isArray(r.content) ? contentOutput(r.content) : (r.text ?? null),
    usage: r.usage ?? undefined,
    model: str(response.modelId),
    finishReason: finishReason(r.finishReason),
    responseId: str(response.id),
  };
}

/** The text when the content is text (and reasoning) only, else the content parts. */
function contentOutput(content: unknown[]): unknown {
  let text = "";
  for (const c of content) {
    const part = obj(c);
    if (part?.type === "reasoning") continue;
    if (part?.type !== "text" || typeof part.text !== "string") return content;
    text += part.text;
  }
  return text;
}

/** v6 and later give `{ unified, raw }`; earlier versions the unified string itself. */
function finishReason(value: unknown): unknown {
  return obj(value)?.unified ?? value;
}

/** A result as the cache keeps it: what the SDK reads, without the raw HTTP body and headers. */
export function storableResult(result: unknown): Obj {
  const r = obj(result) ?? {};
  const response = obj(r.response);
  const out = omit(r, ["request", "response"]);
  if (response) out.response = omit(response, ["headers", "body"]);
  return out;
}

/** The SDK gives `timestamp` as a Date; JSON gave it back as a string. */
export function reviveDates(value: unknown): unknown {
  const v = obj(value);
  if (!v) return value;
  const out: Obj = { ...v };
  if (typeof out.timestamp === "string") out.timestamp = new Date(out.timestamp);
  if (obj(out.response)) out.response = reviveDates(out.response);
  return out;
}

export function replay(parts: unknown[]): ReadableStream<unknown> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]);
      else controller.close();
    },
  });
}

/** Folds the stream parts of a model call (v4's `textDelta` and v5+'s `delta` alike). */
export class PartStream implements Accumulator {
  private text = "";
  private tools: unknown[] = [];
  private usage: unknown;
  private model?: string;
  private id?: string;
  private finish?: unknown;
  error: unknown;

  add(part: unknown): boolean {
    const p = obj(part);
    if (!p) return false;
    switch (p.type) {
      case "text-delta": {
        const delta = str(p.delta) ?? str(p.textDelta) ?? "";
        this.text += delta;
        return delta !== "";
      }
      case "tool-call":
        this.tools.push(omit(p, ["providerMetadata"]));
        return true;
      case "reasoning-delta":
      case "reasoning":
      case "tool-input-delta":
        return true;
      case "response-metadata":
        if (typeof p.modelId === "string") this.model = p.modelId;
        if (typeof p.id === "string") this.id = p.id;
        return false;
      case "finish":
        this.usage = p.usage;
        this.finish = finishReason(p.finishReason);
        return false;
      case "error":
        this.error = p.error;
        return false;
      default:
        return false;
    }
  }

  result(): Outcome {
    const output = this.tools.length === 0 ? this.text : [...(this.text ? [{ type: "text", text: this.text }] : []), ...this.tools];
    return { output, usage: this.usage, model: this.model, finishReason: this.finish, responseId: this.id };
  }
}
