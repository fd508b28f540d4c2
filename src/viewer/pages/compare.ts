/**
 * Runs side by side: metrics, usage and timings with deltas from the baseline, charts over
 * the runs, the cases that moved, and what changed in config, prompts and code. The same
 * view is what a report file shows, from its embedded data.
 */
import type { CompareRow } from "../../read/compare";
import type { CompareView } from "../../read/compare-view";
import { disposeDetachedCharts, lineChart, type Line } from "../charts";
import { apiPath, getJson, type ReportData } from "../data";
import { h, replace, section, type Child } from "../dom";
import { fmt, fmtDelta, fmtTime } from "../format";
import { routes } from "../nav";
import { crumbsFor, errorBox, frame, loading, statusBadge, type Cleanup } from "../ui";
import { casesSection, diffSection } from "./compare-changes";

export type CompareSource = { report: ReportData } | { experiment: string; runs: string[]; baseline?: string };

export function renderCompare(root: Element, src: CompareSource): Cleanup {
  const ctrl = new AbortController();
  if ("report" in src) {
    draw(root, src.report.view, src.report.project, src.report);
    return;
  }
  const crumbs = [...crumbsFor(null, src.experiment), { label: "compare" }];
  loading(root, crumbs);
  const params = new URLSearchParams({ runs: src.runs.join(",") });
  if (src.baseline) params.set("baseline", src.baseline);
  Promise.all([
    getJson<CompareView>(`${apiPath("experiments", src.experiment, "compare")}?${params}`, ctrl.signal),
    getJson<{ name: string }>("/api/project", ctrl.signal),
  ])
    .then(([v, p]) => draw(root, v, p.name))
    .catch((e) => {
      if (!ctrl.signal.aborted) frame(root, crumbs, errorBox(e));
    });
  return () => ctrl.abort();
}

function draw(root: Element, v: CompareView, project: string, report?: ReportData): void {
  const c = v.comparison;
  const ids = c.runs.map((r) => r.run_id);
  const baseIndex = ids.indexOf(c.baseline);
  document.title = `compare ${ids.join(", ")} · ${v.experiment} · scryptorum`;
  let onlyChanged = false;
  const tables = h("div");
  const drawTables = () =>
    replace(
      tables,
      section("Metrics", rowsTable(ids, baseIndex, c.metrics, onlyChanged, "metrics")),
      section("Usage", rowsTable(ids, baseIndex, c.usage, onlyChanged, "usage")),
      c.timings.length ? section("Timings (mean ms per operation)", rowsTable(ids, baseIndex, c.timings, onlyChanged, "timings")) : null,
    );
  const onlyBox = h("input", { type: "checkbox", on: { change: (e) => ((onlyChanged = (e.target as HTMLInputElement).checked), drawTables()) } });
  const baselinePicker = report
    ? null
    : h(
        "label",
        { class: "filter" },
        "Baseline ",
        h(
          "select",
          {
            "aria-label": "baseline",
            on: { change: (e) => (location.hash = routes.compare(v.experiment, ids, (e.target as HTMLSelectElement).value)) },
          },
          ids.map((id) => h("option", { value: id, selected: id === c.baseline }, id)),
        ),
      );

  frame(
    root,
    [...crumbsFor(project, v.experiment), { label: "compare" }],
    h(
      "div",
      { class: "page-head" },
      h("h1", null, `Compare ${ids.length} run${ids.length === 1 ? "" : "s"} of ${v.experiment}`),
      report ? h("p", { class: "muted" }, `Report generated ${fmtTime(report.generated_at)} by scryptorum ${report.version}; project ${project}.`) : null,
      h(
        "ul",
        { class: "run-list" },
        c.runs.map((r) =>
          h(
            "li",
            null,
            report ? h("strong", null, r.run_id) : h("a", { href: routes.run(v.experiment, r.run_id) }, r.run_id),
            " ",
            statusBadge(r.status),
            h("span", { class: "muted" }, ` ${r.run_type} · ${fmtTime(r.started_at)}`),
            r.origin ? h("span", { class: "muted origin" }, ` · from ${r.origin.hosts.join(", ")}`) : null,
            r.run_id === c.baseline ? h("span", { class: "tag" }, "baseline") : null,
          ),
        ),
      ),
      h("div", { class: "toolbar" }, baselinePicker, h("label", { class: "filter" }, onlyBox, " only changed")),
    ),
    tables,
    chartsSection(v, ids),
    casesSection(v),
    diffSection(v),
  );
  drawTables();
  disposeDetachedCharts();
}

/** A table with one value column per run and one delta column per non-baseline run. */
function rowsTable(ids: string[], baseIndex: number, rows: CompareRow[], onlyChanged: boolean, kind: string): HTMLElement {
  const shown = onlyChanged ? rows.filter((r) => r.changed) : rows;
  if (shown.length === 0) return h("p", { class: "empty" }, onlyChanged ? "Nothing changed." : "Nothing to compare.");
  const head: Child[] = [
    "name",
    ids.map((id, i) => [
      h("th", { class: "num" }, id, i === baseIndex ? h("span", { class: "muted" }, " (baseline)") : null),
      i === baseIndex ? null : h("th", { class: "num" }, "Δ"),
    ]),
  ];
  return h(
    "table",
    { class: `grid compare compare-${kind}` },
    h("thead", null, h("tr", null, head.flat(2).filter((x) => x !== null).map((x) => (x instanceof HTMLTableCellElement ? x : h("th", null, x as Child))))),
    h(
      "tbody",
      null,
      shown.map((row) =>
        h(
          "tr",
          { class: row.changed ? "changed" : "", dataset: { name: row.name } },
          h("td", { class: "metric-name" }, row.name),
          ids.map((_, i) => [
            h("td", { class: "num" }, fmt(row.values[i])),
            i === baseIndex ? null : deltaCell(row.deltas[i] ?? null, row.lower_is_better),
          ]),
        ),
      ),
    ),
  );
}

function deltaCell(d: number | null, lowerIsBetter: boolean): HTMLTableCellElement {
  const verdict = d === null || d === 0 ? "" : (d > 0) !== lowerIsBetter ? "better" : "worse";
  return h("td", { class: `num delta ${verdict}` }, fmtDelta(d));
}

function chartsSection(v: CompareView, ids: string[]): HTMLElement | null {
  const charts: HTMLElement[] = [];
  if (ids.length >= 2) {
    // Last value of each numeric metric over the runs.
    for (const row of v.comparison.metrics) {
      const x: number[] = [];
      const y: number[] = [];
      row.values.forEach((val, i) => {
        if (typeof val === "number" && Number.isFinite(val)) {
          x.push(i);
          y.push(val);
        }
      });
      if (y.length >= 2) charts.push(lineChart(`${row.name} by run`, "run", [{ label: row.name, x, y }], { xValues: (i) => ids[i] ?? "", bars: true, categories: ids.length }));
      if (charts.length >= 12) break;
    }
  }
  // Metrics logged several times, one line per run.
  const names = new Set<string>();
  for (const r of v.series) for (const s of r.series) if (s.count >= 2) names.add(s.name);
  for (const name of [...names].slice(0, 12)) {
    const lines: Line[] = [];
    let xKind = "index";
    for (const r of v.series) {
      const s = r.series.find((m) => m.name === name);
      if (s && s.y.length) {
        lines.push({ label: r.run_id, x: s.x, y: s.y });
        xKind = s.x_kind;
      }
    }
    if (lines.length) charts.push(lineChart(`${name} over ${xKind === "step" ? "steps" : "logged values"}`, xKind, lines));
  }
  return charts.length ? section("Charts", h("div", { class: "charts" }, charts)) : null;
}
