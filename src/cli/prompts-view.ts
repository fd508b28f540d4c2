/** What `scryptorum prompts` prints. Pure: the read model in, lines out. */
import type { PromptEntry } from "../read/prompts";
import { clip, paint, title, type ViewOptions } from "./tables";

/**
 * One block per prompt: each version (oldest first) with its file, first use and the runs
 * that used it (with their LLM call counts).
 *
 * @example
 * renderPrompts(listPromptVersions(runs), { width: 80, color: false }).join("\n");
 * // "ask  2 versions\n  3f2a9c1b0d4e  prompts/ask.md  2026-01-01 12:00  good (200 calls)\n  …"
 */
export function renderPrompts(prompts: readonly PromptEntry[], view: ViewOptions): string[] {
  const lines: string[] = [];
  for (const p of prompts) {
    if (lines.length) lines.push("");
    lines.push(`${title(p.name, view)}  ${p.versions.length} version${p.versions.length === 1 ? "" : "s"}`);
    for (const v of p.versions) {
      const when = v.first_seen ? v.first_seen.slice(0, 16).replace("T", " ") : "";
      const runs = v.runs.map((r) => (r.llm_calls ? `${r.run_id} (${r.llm_calls} call${r.llm_calls === 1 ? "" : "s"})` : r.run_id)).join(", ");
      lines.push(clip(`  ${paint(v.version, "cyan", view.color)}  ${v.file ?? "(inline)"}  ${when}  ${runs}`, view.width));
    }
  }
  return lines;
}
