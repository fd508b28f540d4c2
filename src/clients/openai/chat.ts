/** OpenAI chat completions: the request, the response and the stream of chunks, as logged. */
import type { Accumulator, Outcome } from "../shared/recorder";
import { arr, obj, omit, str, type Obj } from "../shared/shape";
import type { Endpoint } from "../shared/sdk-call";
import { OPENAI_NON_SEMANTIC } from "./options";

export const chatCompletions: Endpoint = {
  provider: "openai",
  api: "chat.completions",
  ignore: OPENAI_NON_SEMANTIC,
  describe: (body) => ({ input: body.messages, params: omit(body, ["model", "messages", "stream"]) }),
  read(response) {
    const r = obj(response) ?? {};
    const choices = arr(r.choices).map(obj);
    return {
      output: chatOutput(choices.map((c) => obj(c?.message) ?? {})),
      usage: r.usage ?? undefined,
      model: str(r.model),
      finishReason: choices[0]?.finish_reason,
      responseId: str(r.id),
    };
  },
  accumulate: () => new ChatStream(),
};

/** The assistant's text when that is all it said, else its message(s) without empty fields. */
function chatOutput(messages: Obj[]): unknown {
  const out = messages.map((m) => {
    const plain = (m.content === null || typeof m.content === "string") && arr(m.tool_calls).length === 0 && !m.refusal && !m.audio && !m.function_call;
    return plain ? (m.content ?? null) : compact(m);
  });
  return out.length === 1 ? out[0] : out;
}

function compact(m: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(m)) if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

interface ChoiceState {
  role: string;
  content: string | null;
  refusal?: string;
  tools: { id?: string; type: string; function: { name: string; arguments: string } }[];
  finish?: unknown;
}

class ChatStream implements Accumulator {
  private choices: ChoiceState[] = [];
  private usage: unknown;
  private model?: string;
  private id?: string;

  add(chunk: unknown): boolean {
    const c = obj(chunk);
    if (!c) return false;
    if (typeof c.model === "string") this.model = c.model;
    if (typeof c.id === "string") this.id = c.id;
    if (obj(c.usage)) this.usage = c.usage;
    let carried = false;
    for (const raw of arr(c.choices)) {
      const choice = obj(raw);
      if (!choice) continue;
      const i = typeof choice.index === "number" ? choice.index : 0;
      const s = (this.choices[i] ??= { role: "assistant", content: null, tools: [] });
      const d = obj(choice.delta) ?? {};
      if (typeof d.role === "string") s.role = d.role;
      if (typeof d.content === "string" && d.content !== "") {
        s.content = (s.content ?? "") + d.content;
        carried = true;
      }
      if (typeof d.refusal === "string" && d.refusal !== "") {
        s.refusal = (s.refusal ?? "") + d.refusal;
        carried = true;
      }
      for (const rawTool of arr(d.tool_calls)) {
        const tc = obj(rawTool);
        if (!tc) continue;
        const j = typeof tc.index === "number" ? tc.index : 0;
        const t = (s.tools[j] ??= { type: "function", function: { name: "", arguments: "" } });
        if (typeof tc.id === "string") t.id = tc.id;
        if (typeof tc.type === "string") t.type = tc.type;
        const fn = obj(tc.function);
        if (typeof fn?.name === "string") t.function.name += fn.name;
        if (typeof fn?.arguments === "string") t.function.arguments += fn.arguments;
        carried = true;
      }
      if (choice.finish_reason) s.finish = choice.finish_reason;
    }
    return carried;
  }

  result(): Outcome {
    const messages = this.choices.filter(Boolean).map((s) => {
      const m: Obj = { role: s.role, content: s.content };
      if (s.refusal !== undefined) m.refusal = s.refusal;
      if (s.tools.length > 0) m.tool_calls = s.tools.filter(Boolean);
      return m;
    });
    return {
      output: messages.length === 0 ? null : chatOutput(messages),
      usage: this.usage,
      model: this.model,
      finishReason: this.choices[0]?.finish,
      responseId: this.id,
    };
  }
}
