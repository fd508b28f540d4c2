/** A run's LLM calls: a search box, the calls with input and output as text, and paging. */
import type { LlmCallPage, LlmCallRow } from "../../read/calls";
import { getJson } from "../data";
import { h, pre, type Child } from "../dom";
import { fmt, fmtMs, fmtNumber, fmtTime, fmtUsd } from "../format";
import { debounce } from "../ui";

const PAGE = 50;

/**
 * The calls list of the run at `base` (its API path); `reload()` fetches the first pages
 * again (as many as are shown), keeping the search.
 */
export function callList(base: string, signal: AbortSignal): { el: HTMLElement; reload(): Promise<void>; cancel(): void } {
  const list = h("div", { class: "calls" });
  const note = h("p", { class: "muted" });
  const more = h("button", { type: "button" }, "Show more");
  let query = "";
  let shown = 0;

  const load = async (append: boolean) => {
    const offset = append ? shown : 0;
    const params = new URLSearchParams({ q: query, offset: String(offset), limit: String(append ? PAGE : Math.max(PAGE, shown)) });
    const page = await getJson<LlmCallPage>(`${base}/llm-calls?${params}`, signal);
    if (!append) list.replaceChildren();
    for (const c of page.calls) list.append(callRow(c));
    shown = offset + page.calls.length;
    note.textContent = page.total === 0
      ? "No LLM calls logged."
      : `${fmtNumber(page.matched)} of ${fmtNumber(page.total)} calls${query ? ` match “${query}”` : ""}; showing ${fmtNumber(shown)}.`;
    more.hidden = shown >= page.matched;
  };
  more.addEventListener("click", () => void load(true).catch(() => {}));
  const search = debounce(() => void load(false).catch(() => {}), 250);
  const box = h("input", {
    type: "search",
    class: "call-search",
    placeholder: "Search model, input, output, case",
    "aria-label": "search LLM calls",
    on: { input: (e) => ((query = (e.target as HTMLInputElement).value), search()) },
  });
  return { el: h("div", null, box, note, list, more), reload: () => load(false), cancel: () => search.cancel() };
}

function callRow(c: LlmCallRow): HTMLElement {
  const bits: Child[] = [
    h("span", { class: "call-index" }, `#${c.index + 1}`),
    h("strong", null, c.model),
    h("span", null, fmtMs(c.duration_ms)),
    c.input_tokens !== null || c.output_tokens !== null ? h("span", null, `${fmt(c.input_tokens)} → ${fmt(c.output_tokens)} tokens`) : null,
    c.cost_usd !== null ? h("span", null, fmtUsd(c.cost_usd)) : null,
    c.case !== null ? h("span", null, "case ", h("span", { class: "mono" }, c.case)) : null,
    c.error !== null ? h("span", { class: "badge status-failed" }, "error") : null,
    h("span", { class: "muted" }, fmtTime(c.timestamp)),
  ];
  return h(
    "article",
    { class: "call", dataset: { index: String(c.index) } },
    h("div", { class: "call-head" }, bits),
    h(
      "div",
      { class: "io" },
      h("div", null, h("h4", null, "Input"), pre(c.input, "text call-input")),
      h("div", null, h("h4", null, "Output"), pre(c.output, "text call-output")),
    ),
    c.error !== null ? h("div", { class: "error" }, pre(c.error)) : null,
  );
}
