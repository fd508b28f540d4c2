/** The compare view's lower half: the cases that moved, and what changed in config, prompts and code. */
import type { CaseChange, CaseComparison } from "../../read/cases";
import type { RunDiff } from "../../read/rundiff";
import type { CompareView } from "../../read/compare-view";
import { h, pre, replace, section, table, type Child } from "../dom";
import { fmt, fmtDelta } from "../format";

const CASES_SHOWN = 100;

export function casesSection(v: CompareView): HTMLElement {
  const runs = v.cases.runs;
  if (runs.length === 0 || runs.every((r) => r.cases.length === 0 && r.counts.same === 0)) {
    return section("Cases", h("p", { class: "empty" }, "No cases to pair: log LLM calls or metrics with a `case` (or `id`) field to compare them case by case."));
  }
  return section("Cases", runs.map((r) => caseBlock(v.cases.baseline, r)));
}

function caseBlock(baseline: string, r: CaseComparison): HTMLElement {
  const n = r.counts;
  const list = h("div");
  const drawList = (limit: number) =>
    replace(
      list,
      r.cases.length === 0
        ? h("p", { class: "empty" }, "No case changed.")
        : table(
            ["case", "status", `${baseline} (baseline)`, r.run_id, "score Δ"],
            r.cases.slice(0, limit).map((cc) => caseRow(cc)),
            "grid cases",
          ),
      r.cases.length > limit ? h("button", { type: "button", on: { click: () => drawList(Infinity) } }, `Show all ${r.cases.length} changed cases`) : null,
    );
  drawList(CASES_SHOWN);
  return h(
    "div",
    { class: "case-block", dataset: { run: r.run_id } },
    h("h3", null, `${r.run_id} against ${baseline}`),
    h(
      "p",
      { class: "counts" },
      h("span", { class: "better" }, `${n.better} better`),
      " · ",
      h("span", { class: "worse" }, `${n.worse} worse`),
      ` · ${n.changed} changed · ${n.added} added · ${n.removed} removed · ${n.same} same`,
    ),
    list,
  );
}

function caseRow(cc: CaseChange): Child[] {
  const out = (x: CaseChange["baseline"]) => (x === null ? h("span", { class: "muted" }, "—") : pre(typeof x.output === "string" ? x.output : JSON.stringify(x.output, null, 2), "text cell"));
  return [
    h("td", { class: "mono" }, cc.case),
    h("td", null, h("span", { class: `badge case-${cc.status}` }, cc.status)),
    h("td", null, out(cc.baseline)),
    h("td", null, out(cc.run)),
    h("td", { class: "num" }, Object.entries(cc.score_deltas).map(([k, d]) => h("div", null, `${k} ${fmtDelta(d)}`))),
  ];
}

export function diffSection(v: CompareView): HTMLElement | null {
  if (v.diffs.length === 0) return null;
  return section("What changed", v.diffs.map(diffBlock));
}

function diffBlock(d: RunDiff): HTMLElement {
  return h(
    "div",
    { class: "diff-block" },
    h("h3", null, `${d.a} → ${d.b}`),
    h("p", { class: "muted" }, `${d.config.length} config key${d.config.length === 1 ? "" : "s"} changed · files: ${d.counts.modified} modified, ${d.counts.added} added, ${d.counts.removed} removed`),
    d.config.length
      ? table(
          ["config key", "change", d.a, d.b],
          d.config.map((c) => [h("td", { class: "mono" }, c.key), c.status, h("td", { class: "mono" }, fmt(c.a)), h("td", { class: "mono" }, fmt(c.b))]),
          "grid compact",
        )
      : null,
    (d.prompt_versions ?? []).length
      ? table(
          ["prompt", d.a, d.b, "change"],
          d.prompt_versions.map((p) => [h("td", { class: "mono" }, p.name), h("td", { class: "mono" }, p.a.join(", ") || "—"), h("td", { class: "mono" }, p.b.join(", ") || "—"), p.status]),
          "grid compact prompt-versions",
        )
      : null,
    (d.prompt_versions ?? []).filter((p) => p.diff).map((p) =>
      h("details", { class: "file-diff", open: true }, h("summary", null, h("span", { class: "badge change-modified" }, "prompt"), " ", h("span", { class: "mono" }, p.name)), diffText(p.diff!)),
    ),
    d.files.map((f) =>
      h(
        "details",
        { class: "file-diff", open: d.files.length <= 8 },
        h("summary", null, h("span", { class: `badge change-${f.status}` }, f.status), " ", h("span", { class: "mono" }, f.path)),
        f.note ? h("p", { class: "muted" }, `${f.note[0]!.toUpperCase()}${f.note.slice(1)}.`) : f.binary || f.diff === null ? h("p", { class: "muted" }, "Binary file: not shown.") : diffText(f.diff),
      ),
    ),
    d.notes.map((n) => h("p", { class: "muted" }, n)),
  );
}

/** A unified diff, each line a text node in a span coloured by its first character. */
function diffText(diff: string): HTMLElement {
  const el = h("pre", { class: "diff" });
  for (const line of diff.split("\n")) {
    const cls = line.startsWith("+++") || line.startsWith("---") ? "d-file" : line.startsWith("@@") ? "d-hunk" : line.startsWith("+") ? "d-add" : line.startsWith("-") ? "d-del" : "";
    el.append(h("span", { class: cls }, line), "\n");
  }
  return el;
}
