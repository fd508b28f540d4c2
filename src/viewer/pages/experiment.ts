/**
 * An experiment: its runs as a table, sortable by any column, filterable by status, type,
 * tag and id, with a column per numeric metric; tick runs and compare them. Refreshes every
 * 3 s while a run is running.
 */
import type { RunSummary } from "../../core/experiment";
import { apiPath, getJson } from "../data";
import { h, replace } from "../dom";
import { fmt, fmtSeconds, fmtTime } from "../format";
import { routes } from "../nav";
import { crumbsFor, errorBox, frame, loading, statusBadge, tag, type Cleanup } from "../ui";

interface ExperimentView {
  name: string;
  description: string | null;
  created_at: string | null;
  runs: RunSummary[];
  metric_names: string[];
  tags: string[];
}

interface State {
  sort: string;
  desc: boolean;
  status: string;
  type: string;
  tag: string;
  text: string;
  selected: Set<string>;
}

const ANY = "";

export function renderExperiment(root: Element, name: string): Cleanup {
  const ctrl = new AbortController();
  const crumbs = crumbsFor(null, name);
  const state: State = { sort: "started_at", desc: true, status: ANY, type: ANY, tag: ANY, text: "", selected: new Set() };
  let view: ExperimentView | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tableHolder = h("div", { class: "table-wrap" });
  const compareBtn = h("button", { type: "button", class: "primary", disabled: true }, "Compare selected");
  const selectedNote = h("span", { class: "muted" });

  const load = async (first: boolean) => {
    try {
      const [v, p] = await Promise.all([
        getJson<ExperimentView>(apiPath("experiments", name), ctrl.signal),
        first ? getJson<{ name: string }>("/api/project", ctrl.signal) : Promise.resolve(undefined),
      ]);
      view = v;
      if (first) {
        if (p) crumbs[0]!.label = p.name;
        document.title = `${name} · scryptorum`;
        build();
      } else drawTable();
      if (v.runs.some((r) => r.status === "running")) timer = setTimeout(() => void load(false), 3000);
    } catch (e) {
      if (!ctrl.signal.aborted) frame(root, crumbs, errorBox(e));
    }
  };

  const build = () => {
    const v = view!;
    const select = (label: string, key: "status" | "type" | "tag", options: string[]) =>
      h(
        "label",
        { class: "filter" },
        `${label} `,
        h(
          "select",
          { on: { change: (e) => ((state[key] = (e.target as HTMLSelectElement).value), drawTable()) }, dataset: { filter: key } },
          h("option", { value: ANY }, "any"),
          options.map((o) => h("option", { value: o }, o)),
        ),
      );
    compareBtn.addEventListener("click", () => {
      const runs = view!.runs.filter((r) => state.selected.has(r.run_id)).map((r) => r.run_id);
      if (runs.length >= 1) location.hash = routes.compare(name, runs);
    });
    frame(
      root,
      crumbs,
      h(
        "div",
        { class: "page-head" },
        h("h1", null, name),
        v.description ? h("p", { class: "muted" }, v.description) : null,
        h("p", { class: "muted" }, `${v.runs.length} run${v.runs.length === 1 ? "" : "s"}`),
      ),
      h(
        "div",
        { class: "toolbar" },
        select("Status", "status", ["running", "finished", "failed", "interrupted", "crashed", "stale"]),
        select("Type", "type", ["milestone", "trial"]),
        v.tags.length ? select("Tag", "tag", v.tags) : null,
        h("input", {
          type: "search",
          placeholder: "Filter by run id",
          "aria-label": "filter by run id",
          on: { input: (e) => ((state.text = (e.target as HTMLInputElement).value.trim().toLowerCase()), drawTable()) },
        }),
        h("span", { class: "spacer" }),
        selectedNote,
        compareBtn,
      ),
      tableHolder,
    );
    drawTable();
  };

  const columns = (): { id: string; label: string; num?: boolean }[] => [
    { id: "run_id", label: "run" },
    { id: "run_type", label: "type" },
    { id: "status", label: "status" },
    { id: "started_at", label: "started" },
    { id: "duration_seconds", label: "duration", num: true },
    { id: "tags", label: "tags" },
    ...view!.metric_names.map((m) => ({ id: `m:${m}`, label: m, num: true })),
  ];

  const valueOf = (r: RunSummary, id: string): unknown => {
    if (id.startsWith("m:")) return r.metrics[id.slice(2)];
    if (id === "tags") return r.tags.join(",");
    return (r as unknown as Record<string, unknown>)[id];
  };

  const drawTable = () => {
    const v = view!;
    const cols = columns();
    const rows = v.runs.filter(
      (r) =>
        (state.status === ANY || r.status === state.status) &&
        (state.type === ANY || r.run_type === state.type) &&
        (state.tag === ANY || r.tags.includes(state.tag)) &&
        (state.text === "" || r.run_id.toLowerCase().includes(state.text)),
    );
    rows.sort((a, b) => {
      const x = valueOf(a, state.sort);
      const y = valueOf(b, state.sort);
      // Missing values sort last either way.
      if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
      if (y === undefined || y === null) return -1;
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return state.desc ? -c : c;
    });
    for (const id of [...state.selected]) if (!v.runs.some((r) => r.run_id === id)) state.selected.delete(id);
    const n = state.selected.size;
    compareBtn.disabled = n < 2;
    compareBtn.textContent = n < 2 ? "Compare selected" : `Compare ${n} runs`;
    selectedNote.textContent = n === 1 ? "tick one more run to compare" : "";

    const head = h(
      "tr",
      null,
      h("th", { class: "check" }, ""),
      cols.map((c) =>
        h(
          "th",
          {
            class: `sortable ${c.num ? "num" : ""}`,
            "aria-sort": state.sort === c.id ? (state.desc ? "descending" : "ascending") : "none",
            dataset: { col: c.id },
            on: {
              click: () => {
                if (state.sort === c.id) state.desc = !state.desc;
                else {
                  state.sort = c.id;
                  state.desc = !!c.num;
                }
                drawTable();
              },
            },
          },
          c.label,
          state.sort === c.id ? (state.desc ? " ▾" : " ▴") : "",
        ),
      ),
    );
    const body = rows.map((r) =>
      h(
        "tr",
        { dataset: { run: r.run_id } },
        h(
          "td",
          { class: "check" },
          h("input", {
            type: "checkbox",
            "aria-label": `select ${r.run_id}`,
            checked: state.selected.has(r.run_id),
            on: {
              change: (e) => {
                if ((e.target as HTMLInputElement).checked) state.selected.add(r.run_id);
                else state.selected.delete(r.run_id);
                drawTable();
              },
            },
          }),
        ),
        h("td", null, h("a", { href: routes.run(name, r.run_id) }, r.run_id)),
        h("td", null, r.run_type),
        h("td", null, statusBadge(r.status)),
        h("td", { class: "nowrap" }, fmtTime(r.started_at)),
        h("td", { class: "num" }, fmtSeconds(r.duration_seconds)),
        h("td", null, r.tags.map(tag)),
        v.metric_names.map((m) => h("td", { class: "num" }, fmt(r.metrics[m]))),
      ),
    );
    replace(
      tableHolder,
      rows.length === 0
        ? h("p", { class: "empty" }, v.runs.length === 0 ? `No runs yet: start one with \`scryptorum run ${name} --script <file>\`.` : "No run matches the filters.")
        : h("table", { class: "grid runs" }, h("thead", null, head), h("tbody", null, body)),
    );
  };

  loading(root, crumbs);
  void load(true);
  return () => {
    ctrl.abort();
    clearTimeout(timer);
  };
}
