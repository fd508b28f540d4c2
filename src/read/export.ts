/**
 * `export`: one row per run with its metadata and metrics, as JSON, CSV (RFC 4180 quoting)
 * or a Markdown table for pull-request comments.
 */
import type { RunReport } from "./summary";

export type ExportFormat = "csv" | "json" | "md";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "json", "md"];

/** One exported run. */
export interface ExportRow {
  run_id: string;
  run_type: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  tags: string[];
  note: string | null;
  git_commit: string | null;
  git_dirty: boolean | null;
  llm_calls: number;
  tokens: number;
  cost_usd: number | null;
  /** Last value of each metric. */
  metrics: Record<string, unknown>;
}

const META_COLUMNS = [
  "run_id", "run_type", "status", "started_at", "finished_at", "duration_seconds", "tags", "note",
  "git_commit", "git_dirty", "llm_calls", "tokens", "cost_usd",
] as const;

/**
 * The export rows of run reports.
 *
 * @example
 * exportRows([readRunReport(dir)])[0].metrics; // { accuracy: 0.91 }
 */
export function exportRows(reports: readonly RunReport[]): ExportRow[] {
  return reports.map((r) => ({
    run_id: r.run_id,
    run_type: r.run_type,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_seconds: r.duration_seconds,
    tags: r.tags,
    note: r.note,
    git_commit: r.git?.commit ?? null,
    git_dirty: r.git?.dirty ?? null,
    llm_calls: r.figures.llm_calls,
    tokens: r.figures.tokens,
    cost_usd: r.figures.cost_usd,
    metrics: Object.fromEntries(r.metrics.map((m) => [m.name, m.last])),
  }));
}

/** Metric names of every row, in the order first seen. */
function metricColumns(rows: readonly ExportRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.metrics)) seen.add(k);
  return [...seen];
}

/** Header and cells (as raw values) of the flattened table. */
function table(rows: readonly ExportRow[]): { header: string[]; cells: unknown[][] } {
  const metrics = metricColumns(rows);
  // A metric named like a metadata column gets a prefix rather than shadowing it.
  const metricHeader = metrics.map((m) => ((META_COLUMNS as readonly string[]).includes(m) ? `metric.${m}` : m));
  return {
    header: [...META_COLUMNS, ...metricHeader],
    cells: rows.map((r) => [
      ...META_COLUMNS.map((c) => (c === "tags" ? r.tags.join(" ") : r[c])),
      ...metrics.map((m) => (Object.hasOwn(r.metrics, m) ? r.metrics[m] : null)),
    ]),
  };
}

const cellText = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v));

/**
 * One CSV field, quoted when it holds a comma, a quote, a line break or edge spaces.
 *
 * @example
 * csvField('say "hi"'); // "\"say \"\"hi\"\"\""
 */
export function csvField(v: unknown): string {
  const s = cellText(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV with a header line; CRLF line ends as RFC 4180 asks.
 *
 * @example
 * toCsv(exportRows(reports)); // "run_id,run_type,…\r\nv1,milestone,…\r\n"
 */
export function toCsv(rows: readonly ExportRow[]): string {
  const { header, cells } = table(rows);
  return [header, ...cells].map((line) => line.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/**
 * Pretty JSON: the rows as they are (metrics nested).
 *
 * @example
 * JSON.parse(toJson(exportRows(reports)))[0].metrics; // { accuracy: 0.91 }
 */
export function toJson(rows: readonly ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

const mdEscape = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
const mdValue = (v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : cellText(v));

/**
 * A GitHub-flavoured Markdown table; columns empty in every row are left out, numbers are
 * right-aligned and shown to 4 significant digits.
 *
 * @example
 * toMarkdown(exportRows(reports)); // "| run_id | … |\n| --- | … |\n| v1 | … |\n"
 */
export function toMarkdown(rows: readonly ExportRow[]): string {
  const { header, cells } = table(rows);
  const keep = header.map((_, i) => cells.some((row) => cellText(row[i]) !== ""));
  const numeric = header.map((_, i) => cells.some((row) => typeof row[i] === "number") && cells.every((row) => row[i] === null || typeof row[i] === "number"));
  const cols = header.map((_, i) => i).filter((i) => keep[i] || i === 0);
  const line = (xs: string[]) => `| ${xs.join(" | ")} |`;
  return [
    line(cols.map((i) => mdEscape(header[i]!))),
    line(cols.map((i) => (numeric[i] ? "---:" : "---"))),
    ...cells.map((row) => line(cols.map((i) => mdEscape(mdValue(row[i]))))),
  ].join("\n") + "\n";
}

/**
 * Renders rows in a format.
 *
 * @example
 * renderExport(exportRows(reports), "md");
 */
export function renderExport(rows: readonly ExportRow[], format: ExportFormat): string {
  return format === "csv" ? toCsv(rows) : format === "md" ? toMarkdown(rows) : toJson(rows);
}
