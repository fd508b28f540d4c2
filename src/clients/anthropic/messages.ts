/** Anthropic's messages API: the request, the response and the stream of events, as logged. */
import type { Accumulator, Outcome } from "../shared/recorder";
import { arr, obj, omit, str, type Obj } from "../shared/shape";
import type { Endpoint } from "../shared/sdk-call";

export const messages: Endpoint = {
  provider: "anthropic",
  api: "messages",
  ignore: ["metadata", "service_tier"],
  describe: (body) => ({
    input: body.messages,
    params: omit(body, ["model", "messages", "system", "stream"]),
    extra: body.system === undefined ? undefined : { system: body.system },
  }),
  read(response) {
    const r = obj(response) ?? {};
    return { output: contentOutput(arr(r.content)), usage: r.usage ?? undefined, model: str(r.model), finishReason: r.stop_reason, responseId: str(r.id) };
  },
  accumulate: () => new MessageStream(),
};

/** The text when every block is text, else the blocks. */
function contentOutput(blocks: unknown[]): unknown {
  let text = "";
  for (const b of blocks) {
    const block = obj(b);
    if (block?.type !== "text" || typeof block.text !== "string") return blocks;
    text += block.text;
  }
  return text;
}

/**
 * Folds the server-sent events of a message: usage from `message_start`, updated by
 * `message_delta` (whose counts are cumulative); content blocks from their deltas.
 */
class MessageStream implements Accumulator {
  private blocks: Obj[] = [];
  private json: string[] = [];
  private usage: Obj | undefined;
  private model?: string;
  private id?: string;
  private stop?: unknown;

  add(chunk: unknown): boolean {
    const e = obj(chunk);
    if (!e) return false;
    switch (e.type) {
      case "message_start": {
        const m = obj(e.message) ?? {};
        this.model = str(m.model);
        this.id = str(m.id);
        if (obj(m.usage)) this.usage = { ...(m.usage as Obj) };
        return false;
      }
      case "content_block_start": {
        const i = typeof e.index === "number" ? e.index : this.blocks.length;
        this.blocks[i] = { ...(obj(e.content_block) ?? {}) };
        return false;
      }
      case "content_block_delta": {
        const i = typeof e.index === "number" ? e.index : this.blocks.length - 1;
        const block = (this.blocks[i] ??= {});
        const d = obj(e.delta) ?? {};
        if (d.type === "text_delta" && typeof d.text === "string") block.text = (str(block.text) ?? "") + d.text;
        else if (d.type === "thinking_delta" && typeof d.thinking === "string") block.thinking = (str(block.thinking) ?? "") + d.thinking;
        else if (d.type === "input_json_delta" && typeof d.partial_json === "string") this.json[i] = (this.json[i] ?? "") + d.partial_json;
        else return false;
        return true;
      }
      case "content_block_stop": {
        const i = typeof e.index === "number" ? e.index : this.blocks.length - 1;
        if (this.json[i] !== undefined && this.blocks[i]) {
          try {
            this.blocks[i]!.input = JSON.parse(this.json[i]!);
          } catch {
            this.blocks[i]!.input = this.json[i];
          }
        }
        return false;
      }
      case "message_delta": {
        const d = obj(e.delta);
        if (d?.stop_reason !== undefined) this.stop = d.stop_reason;
        const u = obj(e.usage);
        if (u) {
          this.usage ??= {};
          for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.usage[k] = v;
        }
        return false;
      }
      default:
        return false;
    }
  }

  result(): Outcome {
    return { output: contentOutput(this.blocks.filter(Boolean)), usage: this.usage, model: this.model, finishReason: this.stop, responseId: this.id };
  }
}
