/** Widgets the pages share: the page frame with breadcrumbs, status badges, errors, stat tiles. */
import { h, replace, type Child } from "./dom";
import { routes } from "./nav";

/** What a page returns: a function that stops its timers and streams when the page is left. */
export type Cleanup = (() => void) | void;

export interface Crumb {
  label: string;
  href?: string;
}

/** The page frame: top bar with the breadcrumbs, then the content. Links are dropped in a report file. */
export function frame(root: Element, crumbs: Crumb[], ...content: Child[]): HTMLElement {
  const report = document.body.classList.contains("report");
  const main = h("main", { class: "page" }, ...content);
  replace(
    root,
    h(
      "header",
      { class: "topbar" },
      report ? h("span", { class: "brand" }, "scryptorum") : h("a", { class: "brand", href: routes.project() }, "scryptorum"),
      h(
        "nav",
        { class: "crumbs", "aria-label": "breadcrumbs" },
        crumbs.map((c, i) => [
          i > 0 ? h("span", { class: "sep" }, "/") : null,
          c.href && !report ? h("a", { href: c.href }, c.label) : h("span", null, c.label),
        ]),
      ),
      report ? h("span", { class: "report-tag" }, "report") : null,
    ),
    main,
  );
  return main;
}

/** A status as a coloured badge. */
export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge status-${/^[a-z]+$/.test(status) ? status : "other"}` }, status);
}

export function tag(text: string): HTMLElement {
  return h("span", { class: "tag" }, text);
}

/** A message for a failed load. */
export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h("div", { class: "error", role: "alert" }, message);
}

export function loading(root: Element, crumbs: Crumb[]): void {
  frame(root, crumbs, h("p", { class: "muted" }, "Loading…"));
}

/** A figure tile: label over value. */
export function stat(label: string, value: Child, title?: string): HTMLElement {
  return h("div", { class: "stat", title }, h("div", { class: "stat-label" }, label), h("div", { class: "stat-value" }, value));
}

/** A number cell, right aligned. */
export function numCell(text: string, cls = ""): HTMLTableCellElement {
  return h("td", { class: `num ${cls}`.trim() }, text);
}

/** Crumbs for an experiment and (optionally) a run. */
export function crumbsFor(project: string | null, experiment?: string, run?: string): Crumb[] {
  const out: Crumb[] = [{ label: project ?? "project", href: routes.project() }];
  if (experiment !== undefined) out.push({ label: experiment, href: routes.experiment(experiment) });
  if (run !== undefined) out.push({ label: run, href: routes.run(experiment!, run) });
  return out;
}

/** Debounces a function. */
export function debounce(fn: () => void, ms: number): { (): void; cancel(): void } {
  let t: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
  run.cancel = () => clearTimeout(t);
  return run;
}
