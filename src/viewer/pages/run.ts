/**
 * A run: header, figures, metrics (with charts of those logged several times, x = step when
 * logged, else the index), timings by operation, LLM calls (searchable, input and output
 * as text), the span tree, artifacts (downloads), and the code snapshot (browsable). While
 * the run is running, a server-sent-events stream of its appended lines triggers a refetch:
 * the page updates without a reload, and every figure still comes from the server.
 */
import type { MetricSeries } from "../../read/series";
import type { RunReport } from "../../read/summary";
import type { ArtifactEntry, TailOffsets } from "../../serve/api";
import { disposeDetachedCharts, lineChart } from "../charts";
import { apiPath, filePath, getJson } from "../data";
import { h, pre, replace, section, table } from "../dom";
import { fmt, fmtBytes, fmtMs, fmtNumber, fmtSeconds, fmtTime, fmtUsd } from "../format";
import { crumbsFor, debounce, errorBox, frame, loading, numCell, stat, statusBadge, tag, type Cleanup } from "../ui";
import { callList } from "./run-calls";
import { evalTable } from "./run-evals";
import { snapshotPanel } from "./run-snapshot";
import { spanTree } from "./run-spans";

interface RunView {
  report: RunReport;
  offsets: TailOffsets;
  artifacts: ArtifactEntry[];
  snapshot: { files: number; bytes: number; excluded: number } | null;
}

export function renderRun(root: Element, experiment: string, runId: string): Cleanup {
  const ctrl = new AbortController();
  const base = apiPath("experiments", experiment, "runs", runId);
  const crumbs = crumbsFor(null, experiment, runId);
  let source: EventSource | undefined;

  const els = {
    head: h("div", { class: "page-head" }),
    stats: h("div", { class: "stats" }),
    metrics: h("div"),
    charts: h("div", { class: "charts" }),
    timings: h("div"),
    llm: h("div"),
    spans: h("div"),
    artifacts: h("div"),
    snapshot: h("div"),
    config: h("div"),
    events: h("div"),
    live: h("div", { class: "live-log" }),
  };
  const calls = callList(base, ctrl.signal);
  const evals = evalTable(base, ctrl.signal);

  const refresh = async () => {
    const [v, s] = await Promise.all([
      getJson<RunView>(base, ctrl.signal),
      getJson<{ series: MetricSeries[] }>(`${base}/series`, ctrl.signal),
    ]);
    draw(v, s.series);
    await Promise.all([calls.reload(), evals.reload()]);
  };
  const refreshSoon = debounce(() => void refresh().catch(() => {}), 300);

  const draw = (v: RunView, series: MetricSeries[]) => {
    const r = v.report;
    document.title = `${r.run_id} · ${experiment} · scryptorum`;
    replace(
      els.head,
      h("h1", null, r.run_id, " ", statusBadge(r.status), r.status === "running" ? h("span", { class: "live-dot", title: "updates live" }, "live") : null),
      h(
        "p",
        { class: "meta" },
        h("span", null, r.run_type),
        h("span", null, `started ${fmtTime(r.started_at)}`),
        r.finished_at ? h("span", null, `finished ${fmtTime(r.finished_at)}`) : null,
        r.duration_seconds !== null ? h("span", null, `took ${fmtSeconds(r.duration_seconds)}`) : null,
        r.tags.length ? h("span", null, r.tags.map(tag)) : null,
        // A run pulled from a team bucket: the machines that wrote it.
        r.origin ? h("span", { class: "origin", title: `pulled ${fmtTime(r.origin.pulled_at)}; last push ${fmtTime(r.origin.heartbeat_at)}` }, `from ${r.origin.hosts.join(", ")} (pulled from ${r.origin.remote})`) : null,
      ),
      r.note ? h("p", { class: "note" }, r.note) : null,
      r.git
        ? h(
            "p",
            { class: "meta mono" },
            h("span", null, `git ${r.git.commit ? r.git.commit.slice(0, 12) : "—"}`),
            r.git.branch ? h("span", null, r.git.branch) : null,
            r.git.dirty ? h("span", { class: "warn" }, "dirty") : null,
            r.git.remote ? h("span", null, r.git.remote) : null,
          )
        : null,
      r.error ? h("div", { class: "error" }, h("strong", null, `${r.error.name}: ${r.error.message}`), r.error.stack ? pre(r.error.stack) : null) : null,
    );
    replace(
      els.stats,
      stat("duration", fmtSeconds(r.figures.duration_seconds)),
      stat("LLM calls", fmtNumber(r.llm.calls)),
      stat("errors", fmtNumber(r.llm.errors)),
      stat("tokens", fmtNumber(r.llm.total_tokens), `${fmtNumber(r.llm.input_tokens)} in, ${fmtNumber(r.llm.output_tokens)} out, ${fmtNumber(r.llm.cached_tokens)} cached`),
      stat("cost", fmtUsd(r.llm.cost_usd)),
      stat("LLM p95", r.llm.calls ? fmtMs(r.llm.duration.p95_ms) : "—"),
    );
    replace(
      els.metrics,
      r.metrics.length === 0
        ? h("p", { class: "empty" }, "No metrics logged.")
        : table(
            ["metric", "type", h("th", { class: "num" }, "last"), h("th", { class: "num" }, "count"), h("th", { class: "num" }, "min"), h("th", { class: "num" }, "max"), h("th", { class: "num" }, "mean"), h("th", { class: "num" }, "last step")],
            r.metrics.map((m) => [
              h("td", { class: "metric-name" }, m.name),
              m.type,
              numCell(fmt(m.last)),
              numCell(fmtNumber(m.count)),
              numCell(fmt(m.min)),
              numCell(fmt(m.max)),
              numCell(fmt(m.mean)),
              numCell(fmt(m.last_step)),
            ]),
            "grid metrics",
          ),
    );
    const charted = series.filter((s) => s.count >= 2);
    replace(els.charts, charted.map((s) => lineChart(s.name, s.x_kind, [{ label: s.name, x: s.x, y: s.y }])));
    disposeDetachedCharts();
    replace(
      els.timings,
      r.timings.length === 0
        ? h("p", { class: "empty" }, "No timings logged.")
        : table(
            ["operation", ...["count", "total", "mean", "p50", "p95", "max", "errors"].map((c) => h("th", { class: "num" }, c))],
            r.timings.map((t) => [
              t.operation,
              numCell(fmtNumber(t.count)),
              numCell(fmtMs(t.total_ms)),
              numCell(fmtMs(t.mean_ms)),
              numCell(fmtMs(t.p50_ms)),
              numCell(fmtMs(t.p95_ms)),
              numCell(fmtMs(t.max_ms)),
              numCell(fmtNumber(t.errors), t.errors ? "bad" : ""),
            ]),
          ),
    );
    replace(
      els.llm,
      r.llm.models.length === 0
        ? null
        : table(
            ["model", ...["calls", "errors", "input tokens", "output tokens", "cost", "total time"].map((c) => h("th", { class: "num" }, c))],
            r.llm.models.map((m) => [
              m.model,
              numCell(fmtNumber(m.calls)),
              numCell(fmtNumber(m.errors), m.errors ? "bad" : ""),
              numCell(fmtNumber(m.input_tokens)),
              numCell(fmtNumber(m.output_tokens)),
              numCell(fmtUsd(m.cost_usd)),
              numCell(fmtMs(m.total_ms)),
            ]),
          ),
    );
    replace(els.spans, r.spans && r.spans.length ? spanTree(r.spans) : h("p", { class: "empty" }, "No spans."));
    replace(
      els.artifacts,
      v.artifacts.length === 0
        ? h("p", { class: "empty" }, "No artifacts.")
        : table(
            ["file", h("th", { class: "num" }, "size")],
            v.artifacts.map((a) => [
              h("td", null, h("a", { href: filePath(`${base}/artifacts`, a.path), download: a.path.split("/").pop() ?? true }, a.path)),
              numCell(fmtBytes(a.size)),
            ]),
          ),
    );
    if (!els.snapshot.hasChildNodes()) replace(els.snapshot, snapshotPanel(base, ctrl.signal, v.snapshot));
    replace(els.config, pre(JSON.stringify(r.config, null, 2)));
    const events = Object.entries(r.events);
    replace(els.events, events.length ? table(["event", h("th", { class: "num" }, "count")], events.map(([k, n]) => [k, numCell(fmtNumber(n))]), "grid compact") : h("p", { class: "empty" }, "No events."));
  };

  const connect = (offsets: TailOffsets) => {
    const params = new URLSearchParams({ events: String(offsets.events), metrics: String(offsets.metrics), timings: String(offsets.timings) });
    source = new EventSource(`${base}/stream?${params}`);
    const lines: string[] = [];
    const log = (text: string) => {
      lines.push(text);
      if (lines.length > 30) lines.shift();
      replace(els.live, h("h3", null, "Appended lines"), pre(lines.join("\n"), "text log"));
    };
    source.addEventListener("records", (e) => {
      const d = JSON.parse((e as MessageEvent).data) as { file: string; records: Record<string, unknown>[] };
      for (const rec of d.records) log(`${d.file}: ${JSON.stringify(rec)}`.slice(0, 400));
      refreshSoon();
    });
    source.addEventListener("reset", () => refreshSoon());
    source.addEventListener("status", () => refreshSoon());
  };

  loading(root, crumbs);
  Promise.all([
    getJson<RunView>(base, ctrl.signal),
    getJson<{ series: MetricSeries[] }>(`${base}/series`, ctrl.signal),
    getJson<{ name: string }>("/api/project", ctrl.signal),
  ])
    .then(async ([v, s, p]) => {
      crumbs[0]!.label = p.name;
      frame(
        root,
        crumbs,
        els.head,
        els.stats,
        section("Metrics", els.metrics, els.charts),
        evals.el,
        section("Timings", els.timings),
        section("LLM calls", els.llm, calls.el),
        section("Span tree", els.spans),
        section("Artifacts", els.artifacts),
        section("Code snapshot", els.snapshot),
        section("Config", els.config),
        section("Events", els.events),
        els.live,
      );
      draw(v, s.series);
      await Promise.all([calls.reload(), evals.reload()]);
      connect(v.offsets);
    })
    .catch((e) => {
      if (!ctrl.signal.aborted) frame(root, crumbs, errorBox(e));
    });

  return () => {
    ctrl.abort();
    source?.close();
    refreshSoon.cancel();
    calls.cancel();
    evals.cancel();
  };
}
