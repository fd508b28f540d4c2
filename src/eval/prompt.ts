/**
 * Versioned prompts: `prompt("answer")` reads `experiments/<exp>/prompts/answer.md` (or
 * `.txt`, or any other extension) of the current run's experiment. `{{name}}` (and
 * `{{a.b}}`) placeholders are filled by `render(vars)`; a missing variable is an error
 * before any model call. `version` is the first 12 hex digits of the text's sha256.
 *
 * Each render inside a run writes a `prompt_version` event (name, version, text) the first
 * time that version is rendered in the run, and marks the `llm_call` records that follow
 * with `prompts: [{ name, version }]` (see src/core/scope.ts), so `scryptorum prompts` and
 * `diff` can say which version produced which outputs.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { firstRenderIn, notePromptRender } from "../core/scope";
import { getCurrentRun } from "../tracking/context";
import { experimentDirOfCurrentRun } from "./dataset";

export interface Prompt {
  name: string;
  text: string;
  /** sha256 of the text, 12 hex digits: changes whenever the prompt does. */
  version: string;
  /** The placeholders the text uses. */
  variables: string[];
  render(vars?: Record<string, unknown>): string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

function lookup(vars: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = vars;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur as object, part)) return { found: false };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

/** sha256 of a prompt's text, 12 hex digits. */
export function promptVersion(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * Records a render inside the current run: a `prompt_version` event the first time the
 * version is seen there, and the version on the `llm_call` records that follow.
 */
export function noteRender(name: string, version: string, text: string, file?: string): void {
  const run = getCurrentRun();
  if (!run) return;
  notePromptRender(name, version);
  if (firstRenderIn(run, name, version)) run.logEvent("prompt_version", file === undefined ? { name, version, text } : { name, version, file, text });
}

/**
 * A prompt from text (what `prompt(name)` builds from the file).
 *
 * @example
 * makePrompt("greet", "Hello {{name}}").render({ name: "Ada" }); // "Hello Ada"
 */
export function makePrompt(name: string, text: string, file?: string): Prompt {
  const variables = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  const version = promptVersion(text);
  return {
    name,
    text,
    version,
    variables,
    render(vars = {}) {
      const missing = variables.filter((v) => !lookup(vars, v).found);
      if (missing.length) {
        throw new UserError(`prompt "${name}" needs ${missing.map((m) => `"${m}"`).join(", ")}: pass ${missing.length === 1 ? "it" : "them"} to render({ ${missing.map((m) => `${m.split(".")[0]}: …`).join(", ")} })`);
      }
      noteRender(name, version, text, file);
      return text.replace(PLACEHOLDER, (_, path: string) => {
        const v = lookup(vars, path).value;
        return typeof v === "string" ? v : JSON.stringify(v);
      });
    },
  };
}

/**
 * Loads a prompt of the current run's experiment.
 *
 * @example
 * const p = prompt("answer");
 * const text = p.render({ question: "2+2?" });
 */
export function prompt(name: string): Prompt {
  const dir = join(experimentDirOfCurrentRun(`prompt("${name}")`), "prompts");
  const candidates = existsSync(dir) ? readdirSync(dir).filter((f) => f === name || f.startsWith(`${name}.`)) : [];
  const file = [`${name}.md`, `${name}.txt`].find((f) => candidates.includes(f)) ?? candidates.sort()[0];
  if (!file) throw new UserError(`no prompt "${name}": put ${name}.md (or ${name}.txt) in ${dir}`);
  return makePrompt(name, readFileSync(join(dir, file), "utf8"), `prompts/${file}`);
}
