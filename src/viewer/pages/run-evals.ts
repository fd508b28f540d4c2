/**
 * A run's eval table: one row per case and trial with its scores, sortable by any column
 * (click a header; again to reverse), filterable to the rows not passing (an error, or a
 * score below 1) and by text (case id, input, output, error). Hidden when the run has no
 * `case_result`.
 */
import type { EvalCaseRow, EvalTable } from "../../read/eval-cases";
import { getJson } from "../data";
import { h, pre, replace, table, type Child } from "../dom";
import { fmt, fmtMs, fmtNumber } from "../format";
import { debounce } from "../ui";

const SHOWN = 200;

type SortKey = { col: string; dir: 1 | -1 };

export function evalTable(base: string, signal: AbortSignal): { el: HTMLElement; reload(): Promise<void>; cancel(): void } {
  const el = h("section", { class: "card eval-table" });
  el.hidden = true;
  const body = h("div");
  const note = h("p", { class: "muted" });
  let data: EvalTable = { scorers: [], cases: [], failing: 0 };
  let failuresOnly = false;
  let query = "";
  let sort: SortKey = { col: "case", dir: 1 };
  let limit = SHOWN;

  const value = (r: EvalCaseRow, col: string): number | string => {
    if (col === "case") return r.case_id;
    if (col === "trial") return r.trial;
    if (col === "duration") return r.duration_ms ?? -1;
    if (col === "status") return r.error ? 0 : r.passed ? 2 : 1;
    return r.scores[col] ?? Number.NEGATIVE_INFINITY;
  };
  const compare = (a: EvalCaseRow, b: EvalCaseRow) => {
    const x = value(a, sort.col);
    const y = value(b, sort.col);
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return (c || a.trial - b.trial) * sort.dir;
  };

  const draw = () => {
    const q = query.toLowerCase();
    const rows = data.cases
      .filter((r) => !failuresOnly || !r.passed)
      .filter((r) => !q || [r.case_id, r.input, r.output, r.error ?? ""].some((t) => t.toLowerCase().includes(q)))
      .sort(compare);
    note.textContent = `${fmtNumber(data.cases.length)} results, ${fmtNumber(data.failing)} not passing; showing ${fmtNumber(Math.min(rows.length, limit))} of ${fmtNumber(rows.length)}.`;
    const head = (label: string, col: string, num = false) =>
      h(
        "th",
        { class: num ? "num sortable" : "sortable", dataset: { col }, "aria-sort": sort.col === col ? (sort.dir === 1 ? "ascending" : "descending") : "none", on: { click: () => ((sort = { col, dir: sort.col === col ? ((-sort.dir) as 1 | -1) : 1 }), draw()) } },
        label,
        sort.col === col ? (sort.dir === 1 ? " ▲" : " ▼") : "",
      );
    replace(
      body,
      rows.length === 0
        ? h("p", { class: "empty" }, failuresOnly ? "Every case passed." : "No case matches.")
        : table(
            [head("case", "case"), head("trial", "trial", true), head("status", "status"), ...data.scorers.map((s) => head(s, s, true)), h("th", null, "output"), h("th", null, "expected"), head("time", "duration", true)],
            rows.slice(0, limit).map(row),
            "grid eval-cases",
          ),
      rows.length > limit ? h("button", { type: "button", on: { click: () => ((limit = Infinity), draw()) } }, `Show all ${fmtNumber(rows.length)}`) : null,
    );
  };
  const row = (r: EvalCaseRow): Child[] => [
    h("td", { class: "mono" }, r.case_id),
    h("td", { class: "num" }, String(r.trial)),
    h("td", null, h("span", { class: `badge ${r.error ? "status-failed" : r.passed ? "status-finished" : "case-worse"}` }, r.error ? "error" : r.passed ? "pass" : "fail")),
    ...data.scorers.map((s) => h("td", { class: "num", title: r.reasons[s] ?? "" }, r.scores[s] === undefined ? "—" : fmt(r.scores[s]))),
    h("td", null, r.error ? pre(r.error, "text cell error") : pre(r.output, "text cell")),
    h("td", null, r.expected === null ? h("span", { class: "muted" }, "—") : pre(r.expected, "text cell")),
    h("td", { class: "num" }, fmtMs(r.duration_ms)),
  ];

  const search = debounce(() => draw(), 200);
  const controls = h(
    "div",
    { class: "eval-controls" },
    h("label", null, h("input", { type: "checkbox", class: "failures-only", on: { change: (e) => ((failuresOnly = (e.target as HTMLInputElement).checked), (limit = SHOWN), draw()) } }), " failures only"),
    h("input", { type: "search", class: "eval-search", placeholder: "Search case, input, output, error", "aria-label": "search eval cases", on: { input: (e) => ((query = (e.target as HTMLInputElement).value), search()) } }),
  );
  el.append(h("h2", null, "Eval cases"), controls, note, body);

  return {
    el,
    async reload() {
      data = await getJson<EvalTable>(`${base}/cases`, signal);
      el.hidden = data.cases.length === 0;
      if (!el.hidden) draw();
    },
    cancel: () => search.cancel(),
  };
}
