/**
 * What `scryptorum show` prints: the run's header, metrics, timings, LLM calls and, with
 * --tree, the span tree. Pure: a RunReport in, lines out.
 */
import type { RunReport } from "../read/summary";
import type { SpanNode } from "../read/spans";
import { formatCost, formatCount, formatDuration, formatMs, formatTime, formatValue, formatZone } from "../units";
import { clip, paint, renderTable, title, type Color, type ViewOptions } from "./tables";

const STATUS_COLOR: Record<string, Color> = { finished: "green", failed: "red", crashed: "red", stale: "yellow", interrupted: "yellow", running: "yellow" };
const MAX_TREE_LINES = 200;

/** The status word, coloured. */
export function statusText(status: string, view: ViewOptions): string {
  return paint(status, STATUS_COLOR[status], view.color);
}

function header(r: RunReport, view: ViewOptions): string[] {
  const field = (name: string, value: string) => `${paint(name.padEnd(9), "dim", view.color)}${value}`;
  const lines = [`${paint(r.run_id, "bold", view.color)}  ${r.run_type}  ${statusText(r.status, view)}  ${paint(`(${r.experiment})`, "dim", view.color)}`];
  const duration = r.duration_seconds !== null
    ? formatDuration(r.duration_seconds)
    : r.status === "running" ? `running for ${formatDuration((Date.now() - Date.parse(r.started_at)) / 1000)}` : "-";
  lines.push(field("started", `${formatTime(r.started_at)} ${formatZone(r.started_at)}   duration ${duration}`));
  if (r.origin) lines.push(field("origin", `${r.origin.hosts.join(", ")} (pulled from ${r.origin.remote}; last push ${formatTime(r.origin.heartbeat_at)} ${formatZone(r.origin.heartbeat_at)})`));
  if (r.tags.length) lines.push(field("tags", r.tags.join(", ")));
  if (r.note) lines.push(field("note", clip(r.note, view.width - 9)));
  if (r.git) {
    const g = r.git;
    const where = [g.branch ? `on ${g.branch}` : "", g.dirty ? paint("(dirty)", "yellow", view.color) : g.dirty === false ? "(clean)" : ""].filter(Boolean).join(" ");
    lines.push(field("git", `${g.commit ? g.commit.slice(0, 12) : "(no commit)"} ${where}`.trimEnd()));
  }
  if (r.error) lines.push(field("error", paint(clip(`${r.error.name}: ${r.error.message}`, view.width - 9), "red", view.color)));
  return lines;
}

function metrics(r: RunReport, view: ViewOptions): string[] {
  if (r.metrics.length === 0) return [title("METRICS", view), "  (none logged)"];
  const several = r.metrics.some((m) => m.count > 1);
  const cols = [{ header: "NAME", min: 12 }, { header: "LAST", align: "right" as const }];
  if (several) cols.push({ header: "MIN", align: "right" }, { header: "MAX", align: "right" }, { header: "COUNT", align: "right" });
  const rows = r.metrics.map((m) => {
    const row = [m.name, formatValue(m.last)];
    if (several) row.push(m.count > 1 && m.min !== null ? formatValue(m.min) : "", m.count > 1 && m.max !== null ? formatValue(m.max) : "", String(m.count));
    return row;
  });
  return [title("METRICS", view), ...renderTable(cols, rows, view, "  ")];
}

function timings(r: RunReport, view: ViewOptions): string[] {
  if (r.timings.length === 0) return [];
  const rows = r.timings.map((t) => [t.operation, formatCount(t.count), formatMs(t.total_ms), formatMs(t.mean_ms), formatMs(t.p50_ms), formatMs(t.p95_ms)]);
  const cols = [{ header: "OPERATION", min: 12 }, ...["COUNT", "TOTAL", "MEAN", "P50", "P95"].map((h) => ({ header: h, align: "right" as const }))];
  return ["", title("TIMINGS", view), ...renderTable(cols, rows, view, "  ")];
}

function llm(r: RunReport, view: ViewOptions): string[] {
  const l = r.llm;
  if (l.calls === 0) return [];
  const errors = l.errors ? paint(`${l.errors} error${l.errors === 1 ? "" : "s"}`, "red", view.color) : "0 errors";
  const lines = [
    "",
    `${title("LLM CALLS", view)}  ${formatCount(l.calls)} call${l.calls === 1 ? "" : "s"}, ${errors}, ${formatCount(l.input_tokens)} tokens in, ${formatCount(l.output_tokens)} out, cost ${formatCost(l.cost_usd)}`,
    `  latency  mean ${formatMs(l.duration.mean_ms)}  p50 ${formatMs(l.duration.p50_ms)}  p95 ${formatMs(l.duration.p95_ms)}  max ${formatMs(l.duration.max_ms)}`,
  ];
  const cols = [{ header: "MODEL", min: 12 }, ...["CALLS", "ERRORS", "IN", "OUT", "COST"].map((h) => ({ header: h, align: "right" as const }))];
  const rows = l.models.map((m) => [m.model, formatCount(m.calls), formatCount(m.errors), formatCount(m.input_tokens), formatCount(m.output_tokens), formatCost(m.cost_usd)]);
  lines.push(...renderTable(cols, rows, view, "  "));
  if (l.slowest.length) {
    lines.push(`  ${paint("slowest", "dim", view.color)}`);
    for (const c of l.slowest) {
      const parts = [formatMs(c.duration_ms).padStart(8), c.model, c.case !== null ? `case ${c.case}` : "", c.error ? "error" : "", c.timestamp ? formatTime(c.timestamp) : ""];
      const text = clip(`  ${parts.filter(Boolean).join("  ")}`, view.width);
      lines.push(c.error ? paint(text, "red", view.color) : text);
    }
  }
  return lines;
}

/**
 * The span tree as indented lines (siblings with one name merged: `name ×count total`),
 * cut after 200 lines.
 */
export function renderTree(nodes: readonly SpanNode[], view: ViewOptions): string[] {
  const lines: string[] = [];
  let hidden = 0;
  const walk = (list: readonly SpanNode[], prefix: string) => {
    list.forEach((n, i) => {
      const last = i === list.length - 1;
      if (lines.length >= MAX_TREE_LINES) {
        hidden += 1 + countNodes(n.children);
        return;
      }
      const label = `${n.kind === "llm" ? "llm " : ""}${n.name}${n.count > 1 ? ` ×${formatCount(n.count)}` : ""}`;
      const errs = n.errors ? `  ${paint(`${n.errors} error${n.errors === 1 ? "" : "s"}`, "red", view.color)}` : "";
      const branch = `${prefix}${last ? "└─ " : "├─ "}`;
      lines.push(`${branch}${clip(label, Math.max(8, view.width - branch.length - 12))}  ${paint(formatMs(n.total_ms), "dim", view.color)}${errs}`);
      walk(n.children, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(nodes, "  ");
  if (hidden) lines.push(`  … ${formatCount(hidden)} more (see --json)`);
  return lines;
}

function countNodes(nodes: readonly SpanNode[]): number {
  return nodes.reduce((n, c) => n + 1 + countNodes(c.children), 0);
}

/**
 * The lines `show` prints.
 *
 * @example
 * renderShow(readRunReport(dir), { width: 80, color: false }).join("\n");
 */
export function renderShow(r: RunReport, view: ViewOptions): string[] {
  const lines = [...header(r, view), "", ...metrics(r, view), ...timings(r, view), ...llm(r, view)];
  if (r.spans) lines.push("", title("SPANS", view), ...(r.spans.length ? renderTree(r.spans, view) : ["  (no spans logged)"]));
  return lines;
}
