/** OpenAI's responses API: the request, the response and the stream of events, as logged. */
import type { Accumulator, Outcome } from "../shared/recorder";
import { arr, obj, omit, str, type Obj } from "../shared/shape";
import type { Endpoint } from "../shared/sdk-call";
import { OPENAI_NON_SEMANTIC } from "./options";

export const responses: Endpoint = {
  provider: "openai",
  api: "responses",
  ignore: OPENAI_NON_SEMANTIC,
  describe: (body) => ({
    input: body.input,
    params: omit(body, ["model", "input", "instructions", "stream"]),
    extra: body.instructions === undefined ? undefined : { instructions: body.instructions },
  }),
  read: readResponse,
  accumulate: () => new ResponseStream(),
};

function readResponse(response: unknown): Outcome {
  const r = obj(response) ?? {};
  return {
    output: responseOutput(r),
    usage: r.usage ?? undefined,
    model: str(r.model),
    finishReason: r.status,
    responseId: str(r.id),
  };
}

/** The text when the output is only messages of text (and reasoning), else the output items. */
function responseOutput(r: Obj): unknown {
  const items = arr(r.output).map((i) => obj(i) ?? {});
  if (items.length === 0) return str(r.output_text) ?? null;
  let text = "";
  for (const item of items) {
    if (item.type === "reasoning") continue;
    if (item.type !== "message") return items;
    for (const part of arr(item.content).map((p) => obj(p) ?? {})) {
      if (part.type !== "output_text" || typeof part.text !== "string") return items;
      text += part.text;
    }
  }
  return text;
}

class ResponseStream implements Accumulator {
  private text = "";
  private final?: Obj;
  private model?: string;
  private id?: string;

  add(chunk: unknown): boolean {
    const e = obj(chunk);
    if (!e || typeof e.type !== "string") return false;
    const response = obj(e.response);
    if (response) {
      if (typeof response.model === "string") this.model = response.model;
      if (typeof response.id === "string") this.id = response.id;
      if (e.type === "response.completed" || e.type === "response.incomplete" || e.type === "response.failed") this.final = response;
    }
    if (e.type === "response.output_text.delta" && typeof e.delta === "string") {
      this.text += e.delta;
      return true;
    }
    return e.type.endsWith(".delta");
  }

  result(): Outcome {
    if (this.final) return readResponse(this.final);
    return { output: this.text, model: this.model, responseId: this.id };
  }
}
