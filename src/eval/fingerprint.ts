/**
 * What an evaluation ran against, recorded at its start (`eval_started`): the dataset's
 * name and content hash with one short hash per case, the experiment's prompt files, and
 * the scorers (names and a hash of their source). A resume compares it with the run's
 * first one and refuses when something changed; `compare` uses the case hashes to say
 * "same dataset" or "dataset changed (+3 -1 cases)".
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "pathe";
import type { Dataset, EvalCase } from "./case";

export interface Fingerprint {
  dataset: { name: string; hash: string; cases: number };
  /** Prompt file name → the first 12 hex digits of its sha256 (as `prompt().version`). */
  prompts: Record<string, string>;
  /** Scorer name → the first 12 hex digits of the sha256 of its source. */
  scorers: Record<string, string>;
}

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over UTF-16 code units, continued from `h`. */
function fnvText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * FNV-1a over `JSON.stringify(value)` as an element of an array (undefined and functions
 * are `null` there), continued from `h`. A string that needs no escaping (no `"`, `\`,
 * control character or lone surrogate half) is hashed as its JSON text without making it.
 */
function fnvJson(h: number, value: unknown): number {
  if (typeof value === "string") {
    let g = Math.imul(h ^ 34, FNV_PRIME);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return fnvText(h, JSON.stringify(value));
      g = Math.imul(g ^ c, FNV_PRIME);
    }
    return Math.imul(g ^ 34, FNV_PRIME);
  }
  const text = value === null || value === undefined ? "null" : JSON.stringify(value);
  return fnvText(h, text === undefined ? "null" : text);
}

const short = (text: string, n = 12) => createHash("sha256").update(text).digest("hex").slice(0, n);

/**
 * One short hash per case (id → 8 hex digits of its input, expected output and metadata),
 * so two runs' datasets can be told apart case by case. FNV-1a (32 bits) over the JSON
 * text, not sha256: it runs once per case of every `evaluate()`, a sha256 object per case
 * was the largest share of the per-case overhead (BENCHMARKS.md, "Evaluations"), and 32
 * bits is plenty to tell whether one case changed.
 *
 * @example
 * caseHashes(dataset([{ id: "a", input: 1 }])); // { a: "…" }
 */
export function caseHashes(data: Dataset): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of data) out[c.id] = caseHash(c);
  return out;
}

/**
 * One case's short hash (see `caseHashes`): FNV-1a over the text of
 * `JSON.stringify([input, expected ?? null, metadata ?? null])`, taken piece by piece.
 *
 * @example
 * caseHash({ id: "a", input: "2+2", expected: "4" }); // "1b6f…" (8 hex digits)
 */
export function caseHash(c: EvalCase): string {
  let h = Math.imul(FNV_BASIS ^ 91, FNV_PRIME); // [
  h = fnvJson(h, c.input);
  h = Math.imul(h ^ 44, FNV_PRIME); // ,
  h = fnvJson(h, c.expected ?? null);
  h = Math.imul(h ^ 44, FNV_PRIME);
  h = fnvJson(h, c.metadata ?? null);
  h = Math.imul(h ^ 93, FNV_PRIME); // ]
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The prompt files of an experiment folder, name → version. */
export function promptVersions(experimentDir: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!experimentDir) return out;
  const dir = join(experimentDir, "prompts");
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const file = join(dir, f);
    if (!statSync(file).isFile()) continue;
    out[f] = short(readFileSync(file, "utf8"));
  }
  return out;
}

/**
 * @example
 * fingerprint(data, { exact: exactMatch() }, expDir).scorers.exact; // "3f2a…"
 */
export function fingerprint(data: { name: string; hash: string; length: number }, scorers: Record<string, Function>, experimentDir: string | undefined): Fingerprint {
  return {
    dataset: { name: data.name, hash: data.hash, cases: data.length },
    prompts: promptVersions(experimentDir),
    scorers: Object.fromEntries(Object.entries(scorers).map(([k, f]) => [k, short(Function.prototype.toString.call(f))])),
  };
}

/**
 * How two datasets' cases differ: added, removed, and edited (same id, other content).
 *
 * @example
 * caseDelta({ a: "1", b: "2" }, { b: "3", c: "4" }); // { added: 1, removed: 1, edited: 1 }
 */
export function caseDelta(before: Record<string, string>, after: Record<string, string>): { added: number; removed: number; edited: number } {
  let added = 0;
  let removed = 0;
  let edited = 0;
  for (const [id, h] of Object.entries(after)) {
    if (!Object.hasOwn(before, id)) added++;
    else if (before[id] !== h) edited++;
  }
  for (const id of Object.keys(before)) if (!Object.hasOwn(after, id)) removed++;
  return { added, removed, edited };
}

/** "+3 -1 cases" (", 2 edited" when some changed in place). */
export function describeDelta(d: { added: number; removed: number; edited: number }): string {
  return `+${d.added} -${d.removed} cases${d.edited ? `, ${d.edited} edited` : ""}`;
}

function mapChanges(kind: string, before: Record<string, string>, after: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(after)) {
    if (!Object.hasOwn(before, k)) out.push(`${kind} ${k} added`);
    else if (before[k] !== after[k]) out.push(`${kind} ${k} changed`);
  }
  for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) out.push(`${kind} ${k} removed`);
  return out;
}

/**
 * What changed between the fingerprint a run recorded and now; empty when nothing did.
 *
 * @example
 * fingerprintChanges(old, now, oldCases, nowCases); // ['dataset "qa" changed (+3 -1 cases)', "scorer exact changed"]
 */
export function fingerprintChanges(before: Fingerprint, after: Fingerprint, beforeCases?: Record<string, string>, afterCases?: Record<string, string>): string[] {
  const out: string[] = [];
  if (before.dataset.name !== after.dataset.name) out.push(`dataset "${before.dataset.name}" is now "${after.dataset.name}"`);
  else if (before.dataset.hash !== after.dataset.hash) {
    const delta = beforeCases && afterCases ? ` (${describeDelta(caseDelta(beforeCases, afterCases))})` : "";
    out.push(`dataset "${after.dataset.name}" changed${delta}`);
  }
  out.push(...mapChanges("prompt", before.prompts ?? {}, after.prompts ?? {}));
  out.push(...mapChanges("scorer", before.scorers ?? {}, after.scorers ?? {}));
  return out;
}

// Thrown by evaluate() when the changes above refuse a resume; the class is in core/errors.ts.
export { ResumeRefused } from "../core/errors";
