/**
 * LLM-as-judge: a scorer that asks a model to grade an output against a rubric and returns
 * `{ score, reason }`. It calls through the user's own client, wrapped by scryptorum (an
 * already wrapped client is used as is), so each judge call is an `llm_call` of the run,
 * answered from the response cache like any other, and held by the same per-model rate
 * limiter as the task's calls. The rubric is recorded as a prompt named `judge.<name>`
 * whose version is the hash of the rubric's text: `llm_call.prompts` says
 * which rubric graded what, and a changed rubric misses the cache while an unchanged one
 * re-scores for free.
 */
import { wrapAnthropic, wrapOpenAI } from "../clients";
import { UserError } from "../core/errors";
import type { Scorer } from "./evaluate";
import { noteRender, promptVersion } from "./prompt";

export interface JudgeMessages {
  system: string;
  user: string;
}

export interface JudgeOptions {
  /** What a good answer is, in plain words. */
  rubric: string;
  /** An `openai` or `@anthropic-ai/sdk` client (wrapped here when it is not yet). */
  client?: object;
  /** …or any function that sends the two messages to a model and returns its text. */
  call?: (messages: JudgeMessages) => string | Promise<string>;
  /** The model, with `client`. */
  model?: string;
  /** Names the judge's prompt (`judge.<name>`); default "judge". */
  name?: string;
  /** Anthropic's max_tokens (default 512). */
  maxTokens?: number;
}

const INSTRUCTIONS = `You grade an answer against a rubric.
Reply with one JSON object and nothing else: {"score": <a number from 0 to 1>, "reason": "<one sentence>"}.

Rubric:
{{rubric}}`;

const text = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "(none)" : JSON.stringify(v, null, 2));

/**
 * Reads a judge's reply: the first JSON object in it, with a numeric or boolean `score`
 * (0..1) and an optional `reason`.
 *
 * @example
 * parseVerdict('{"score": 0.5, "reason": "half right"}'); // { score: 0.5, reason: "half right" }
 */
export function parseVerdict(reply: string): { score: number; reason: string } {
  const start = reply.indexOf("{");
  const end = reply.lastIndexOf("}");
  let v: { score?: unknown; reason?: unknown } | undefined;
  try {
    v = start >= 0 && end > start ? JSON.parse(reply.slice(start, end + 1)) : undefined;
  } catch {
    v = undefined;
  }
  const raw = v?.score;
  const score = typeof raw === "boolean" ? (raw ? 1 : 0) : typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  if (!Number.isFinite(score)) throw new Error(`the judge did not reply {"score", "reason"}: ${JSON.stringify(reply.slice(0, 200))}`);
  return { score: Math.min(1, Math.max(0, score)), reason: typeof v?.reason === "string" ? v.reason : "" };
}

type OpenAILike = { chat: { completions: { create(body: object): Promise<any> } } };
type AnthropicLike = { messages: { create(body: object): Promise<any> } };

function sender(opts: JudgeOptions): (m: JudgeMessages) => Promise<string> {
  if (typeof opts.call === "function") {
    const call = opts.call;
    return async (m) => String(await call(m));
  }
  const c = opts.client as Partial<OpenAILike & AnthropicLike> | undefined;
  if (!c || typeof c !== "object") throw new UserError("judge() needs client (an openai or Anthropic client) or call: (messages) => text");
  if (typeof opts.model !== "string" || opts.model === "") throw new UserError('judge() needs model with client: judge({ client, model: "gpt-4o-mini", rubric })');
  const model = opts.model;
  if (typeof c.chat?.completions?.create === "function") {
    const client = wrapOpenAI(c as OpenAILike);
    return async (m) => {
      const r = await client.chat.completions.create({ model, temperature: 0, messages: [{ role: "system", content: m.system }, { role: "user", content: m.user }] });
      return String(r?.choices?.[0]?.message?.content ?? "");
    };
  }
  if (typeof c.messages?.create === "function") {
    const client = wrapAnthropic(c as AnthropicLike);
    return async (m) => {
      const r = await client.messages.create({ model, max_tokens: opts.maxTokens ?? 512, temperature: 0, system: m.system, messages: [{ role: "user", content: m.user }] });
      return (Array.isArray(r?.content) ? r.content : []).filter((b: any) => b?.type === "text").map((b: any) => b.text).join("");
    };
  }
  throw new UserError("judge(): client is neither an openai client (chat.completions.create) nor an Anthropic one (messages.create): pass call: (messages) => text instead");
}

/**
 * A scorer that has a model grade each output against `rubric`.
 *
 * @example
 * const openai = new OpenAI({ maxRetries: 0 });
 * await evaluate({
 *   data, task,
 *   scores: { helpful: judge({ client: openai, model: "gpt-4o-mini", rubric: "Answers the question asked, correctly and briefly." }) },
 * });
 */
export function judge(opts: JudgeOptions): Scorer {
  if (!opts || typeof opts.rubric !== "string" || opts.rubric.trim() === "") throw new UserError('judge() needs rubric: judge({ client, model, rubric: "Answers correctly and cites a source." })');
  const send = sender(opts);
  const name = `judge.${opts.name ?? "judge"}`;
  const version = promptVersion(opts.rubric);
  const system = INSTRUCTIONS.replace("{{rubric}}", () => opts.rubric);
  return async ({ input, output, expected }) => {
    noteRender(name, version, opts.rubric);
    const user = `Input:\n${text(input)}\n\n${expected === undefined ? "" : `Expected answer:\n${text(expected)}\n\n`}Answer to grade:\n${text(output)}`;
    return parseVerdict(await send({ system, user }));
  };
}
