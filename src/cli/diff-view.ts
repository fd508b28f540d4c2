/**
 * What `scryptorum diff` and `scryptorum check` print. Pure: read-model objects in, lines out.
 */
import type { CheckResult } from "../read/check";
import type { RunDiff } from "../read/rundiff";
import { formatValue } from "../units";
import { clip, paint, title, wrap, type ViewOptions } from "./tables";

/** Colours a unified diff's lines: additions green, removals red, hunk headers cyan. */
export function paintDiff(diff: string, view: ViewOptions): string[] {
  const lines = diff.replace(/\n$/, "").split("\n");
  if (!view.color) return lines;
  return lines.map((l) =>
    l.startsWith("+++") || l.startsWith("---") ? paint(l, "bold", true)
    : l.startsWith("@@") ? paint(l, "cyan", true)
    : l.startsWith("+") ? paint(l, "green", true)
    : l.startsWith("-") ? paint(l, "red", true)
    : l);
}

/**
 * The lines `diff` prints: a summary, the config keys that changed, then each file's diff.
 *
 * @example
 * renderDiff(diffRuns(a, b), { width: 80, color: false }).join("\n");
 */
export function renderDiff(d: RunDiff, view: ViewOptions): string[] {
  const k = d.counts;
  const n = d.files.length;
  const lines = [`${title(`${d.a} → ${d.b}`, view)}: ${n === 0 ? "nothing changed" : `${n} file${n === 1 ? "" : "s"} changed (${k.modified} modified, ${k.added} added, ${k.removed} removed)`}`];
  if (d.config.length) {
    lines.push("", title("CONFIG", view));
    const w = Math.min(28, Math.max(...d.config.map((c) => c.key.length)));
    for (const c of d.config) {
      const change = c.status === "added" ? `(added) ${formatValue(c.b)}` : c.status === "removed" ? `${formatValue(c.a)} (removed)` : `${formatValue(c.a)} → ${formatValue(c.b)}`;
      lines.push(clip(`  ${clip(c.key, w).padEnd(w)}  ${change}`, view.width));
    }
  }
  const prompts = d.prompt_versions ?? [];
  if (prompts.length) {
    lines.push("", title("PROMPT VERSIONS", view));
    const w = Math.min(28, Math.max(...prompts.map((p) => p.name.length)));
    const list = (v: string[]) => (v.length ? v.join(", ") : "(not used)");
    for (const p of prompts) {
      const change = p.status === "same" ? `${list(p.a)} (same)` : `${list(p.a)} → ${list(p.b)}`;
      lines.push(clip(`  ${clip(p.name, w).padEnd(w)}  ${change}`, view.width));
    }
    for (const p of prompts) if (p.diff) lines.push("", ...paintDiff(p.diff, view));
  }
  for (const f of d.files) {
    lines.push("");
    if (f.note) lines.push(paint(`${f.path} ${f.status}: ${f.note}`, "bold", view.color));
    else if (f.binary || f.diff === null) lines.push(paint(`Binary file ${f.path} ${f.status}`, "bold", view.color));
    else lines.push(...paintDiff(f.diff, view));
  }
  if (d.notes.length) lines.push("", ...d.notes.map((note) => paint(`note: ${note}`, "dim", view.color)));
  return lines;
}

/**
 * The lines `check` prints: each rule with PASS or FAIL and its numbers, then a verdict.
 *
 * @example
 * renderCheck(checkReport(report, { rules }), { width: 80, color: false });
 */
export function renderCheck(c: CheckResult, view: ViewOptions): string[] {
  const against = c.baseline ? ` against baseline ${c.baseline}` : "";
  const lines = [`${title(`check ${c.run_id}`, view)}${against}`];
  for (const r of c.results) {
    const mark = r.passed ? paint("PASS", "green", view.color) : paint("FAIL", "red", view.color);
    const [first, ...rest] = wrap(r.message, view.width - 6, 0);
    lines.push(`${mark}  ${first}`, ...rest.map((l) => `      ${l}`));
  }
  const total = c.results.length;
  lines.push(c.passed ? `${total} rule${total === 1 ? "" : "s"} passed` : paint(`${c.failed} of ${total} rule${total === 1 ? "" : "s"} failed`, "red", view.color));
  return lines;
}
