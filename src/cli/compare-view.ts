/**
 * What `scryptorum compare` prints: figures side by side with deltas from the baseline,
 * and with --cases the cases that moved. Pure: read-model objects in, lines out.
 */
import type { CaseChange, CasesReport } from "../read/cases";
import type { DatasetComparison } from "../read/datasets";
import type { CompareRow, Comparison } from "../read/compare";
import { judge } from "../read/direction";
import { formatCost, formatCount, formatDuration, formatMs, formatValue } from "../units";
import { clip, wrap, formatDelta, paint, renderTable, title, type Cell, type Column, type ViewOptions } from "./tables";

type Unit = "value" | "ms" | "count" | "usd" | "seconds";
const USAGE_UNITS: Record<string, Unit> = {
  duration_seconds: "seconds", llm_calls: "count", llm_errors: "count", input_tokens: "count",
  output_tokens: "count", tokens: "count", cost_usd: "usd", llm_mean_ms: "ms", llm_p95_ms: "ms",
};
const MAX_CASES = 40;

function fmt(v: unknown, unit: Unit): string {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "number") return formatValue(v);
  return unit === "ms" ? formatMs(v) : unit === "count" ? formatCount(v) : unit === "usd" ? formatCost(v) : unit === "seconds" ? formatDuration(v) : formatValue(v);
}

function deltaCell(row: CompareRow, i: number, base: number, unit: Unit): Cell {
  const d = row.deltas[i];
  if (d === null || d === undefined) {
    const v = row.values[i];
    const b = row.values[base];
    if (JSON.stringify(v) === JSON.stringify(b)) return "";
    return { text: b === null ? "new" : v === null ? "gone" : "changed", color: "yellow" };
  }
  const text = unit === "seconds" ? formatDelta(d * 1000, "ms") : formatDelta(d, unit);
  const verdict = judge(0, d, row.lower_is_better);
  return { text, color: verdict === "better" ? "green" : verdict === "worse" ? "red" : "dim" };
}

function section(name: string, rows: readonly CompareRow[], c: Comparison, unitOf: (row: CompareRow) => Unit, view: ViewOptions): string[] {
  if (rows.length === 0) return [];
  const base = c.runs.findIndex((r) => r.run_id === c.baseline);
  const cols: Column[] = [{ header: name, min: 10 }];
  c.runs.forEach((r, i) => {
    cols.push({ header: i === base ? `${r.run_id}*` : r.run_id, align: "right", min: 8, cut: "middle" });
    if (i !== base) cols.push({ header: "Δ", align: "right" });
  });
  const body = rows.map((row) => {
    const unit = unitOf(row);
    const cells: Cell[] = [row.name];
    row.values.forEach((v, i) => {
      cells.push(fmt(v, unit));
      if (i !== base) cells.push(deltaCell(row, i, base, unit));
    });
    return cells;
  });
  return ["", ...renderTable(cols, body, view, "")];
}

/**
 * The lines `compare` prints (the baseline's column is starred).
 *
 * @example
 * renderCompare(compareReports(reports), { width: 80, color: false }).join("\n");
 */
export function renderCompare(c: Comparison, view: ViewOptions): string[] {
  const others = c.runs.filter((r) => r.run_id !== c.baseline).map((r) => r.run_id);
  const [first, ...rest] = wrap(`${c.experiment}: ${others.join(", ")} against ${c.baseline}* (deltas are run minus baseline)`, view.width);
  const lines = [first!.replace(c.experiment, title(c.experiment, view)), ...rest];
  lines.push(...section("METRIC", c.metrics, c, () => "value", view));
  lines.push(...section("TIMING (mean)", c.timings, c, () => "ms", view));
  lines.push(...section("USAGE", c.usage, c, (row) => USAGE_UNITS[row.name] ?? "value", view));
  if (c.metrics.length + c.timings.length + c.usage.length === 0) lines.push("", "  nothing differs");
  return lines;
}

const STATUS_COLOR = { better: "green", worse: "red", changed: "yellow", added: "cyan", removed: "cyan" } as const;

function caseLine(ch: CaseChange, view: ViewOptions): string {
  const parts: string[] = [];
  for (const name of Object.keys(ch.score_deltas)) {
    parts.push(`${name} ${formatValue(ch.baseline?.scores[name])} → ${formatValue(ch.run?.scores[name])}`);
  }
  const out = (v: unknown) => clip(typeof v === "string" ? JSON.stringify(v) : formatValue(v), 28);
  if (ch.baseline && ch.run && JSON.stringify(ch.baseline.output) !== JSON.stringify(ch.run.output)) {
    parts.push(`output ${out(ch.baseline.output)} → ${out(ch.run.output)}`);
  }
  const status = paint(ch.status.padEnd(8), STATUS_COLOR[ch.status], view.color);
  const key = clip(ch.case, 24);
  return `  ${status} ${clip(`${key}  ${parts.join("  ")}`.trimEnd(), view.width - 11)}`;
}

/**
 * The lines `compare --cases` prints: counts per run, then the cases that moved (worse first).
 *
 * @example
 * renderCases(compareCases(base, runs), { width: 80, color: false });
 */
export function renderCases(report: CasesReport, view: ViewOptions): string[] {
  const lines: string[] = [];
  for (const run of report.runs) {
    const k = run.counts;
    lines.push("", `${title("CASES", view)} ${run.run_id} against ${report.baseline}: ${k.better} better, ${k.worse} worse, ${k.changed} changed, ${k.added} added, ${k.removed} removed, ${k.same} same`);
    for (const st of run.paired ?? []) {
      const f = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(3);
      lines.push(`  ${st.scorer}: ${f(st.diff)} [${f(st.ci_low)}, ${f(st.ci_high)}] over ${st.n} common cases, p=${st.p.toPrecision(2)} (${st.test}${st.test === "mcnemar" ? `, ${st.better} up ${st.worse} down` : ""}), Holm p=${st.p_holm.toPrecision(2)}${st.significant ? " significant" : " within noise"}`);
    }
    for (const ch of run.cases.slice(0, MAX_CASES)) lines.push(caseLine(ch, view));
    if (run.cases.length > MAX_CASES) lines.push(`  … ${run.cases.length - MAX_CASES} more (see --json)`);
  }
  if (report.runs.every((r) => r.counts.same === 0 && r.cases.length === 0)) {
    lines.push("  no case keys found: log LLM calls or metrics with a `case` or `id` field (or the same input) to pair them");
  }
  return lines;
}

/**
 * The dataset line(s) under `compare`'s title: each run's dataset against the baseline's.
 *
 * @example
 * renderDatasets(compareDatasets("v1", found), "v1"); // ['dataset "qa" (200 cases) in v1*; v2: same dataset']
 */
export function renderDatasets(ds: readonly DatasetComparison[], baseline: string): string[] {
  const base = ds.find((d) => d.run_id === baseline);
  const others = ds.filter((d) => d.run_id !== baseline).map((d) => `${d.run_id}: ${d.text}`);
  const head = base?.dataset ? `dataset "${base.dataset}" (${base.cases} cases) in ${baseline}*` : `no evaluation in ${baseline}*`;
  return [`${head}; ${others.join("; ")}`];
}
