/** The project page: every experiment with its run count, statuses and the latest run's metrics. */
import type { ExperimentCard } from "../../serve/api";
import { getJson } from "../data";
import { h, table } from "../dom";
import { fmt, fmtTime } from "../format";
import { routes } from "../nav";
import { errorBox, frame, loading, statusBadge, type Cleanup } from "../ui";

interface ProjectView {
  name: string;
  root: string;
  experiments: ExperimentCard[];
}

export function renderProject(root: Element): Cleanup {
  const ctrl = new AbortController();
  loading(root, [{ label: "project" }]);
  getJson<ProjectView>("/api/project", ctrl.signal)
    .then((p) => {
      document.title = `${p.name} · scryptorum`;
      frame(
        root,
        [{ label: p.name }],
        h("div", { class: "page-head" }, h("h1", null, p.name), h("p", { class: "muted mono" }, p.root)),
        p.experiments.length === 0
          ? h("p", { class: "empty" }, "No experiments yet: create one with `scryptorum create-experiment <name>`.")
          : h("div", { class: "cards" }, p.experiments.map(card)),
      );
    })
    .catch((e) => {
      if (!ctrl.signal.aborted) frame(root, [{ label: "project" }], errorBox(e));
    });
  return () => ctrl.abort();
}

function card(e: ExperimentCard): HTMLElement {
  const latest = e.latest;
  const metrics = latest ? Object.entries(latest.metrics).slice(0, 8) : [];
  return h(
    "article",
    { class: "card experiment-card", dataset: { experiment: e.name } },
    h("h2", null, h("a", { href: routes.experiment(e.name) }, e.name)),
    e.description ? h("p", { class: "muted" }, e.description) : null,
    h(
      "p",
      { class: "counts" },
      h("strong", null, `${e.runs} run${e.runs === 1 ? "" : "s"}`),
      Object.entries(e.statuses).map(([s, n]) => [" ", statusBadge(s), ` ${n}`]),
    ),
    latest
      ? h(
          "div",
          { class: "latest" },
          h(
            "p",
            { class: "muted" },
            "Latest: ",
            h("a", { href: routes.run(e.name, latest.run_id) }, latest.run_id),
            ` · ${fmtTime(latest.started_at)} · `,
            statusBadge(latest.status),
          ),
          metrics.length
            ? table(
                ["metric", "value"],
                metrics.map(([k, v]) => [k, h("td", { class: "num" }, fmt(v))]),
                "grid compact",
              )
            : h("p", { class: "muted" }, "no metrics"),
        )
      : h("p", { class: "muted" }, "no runs yet"),
  );
}
