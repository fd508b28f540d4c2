/** A run's span tree: timings and LLM calls by parent span, siblings of one name merged. */
import type { SpanNode } from "../../read/spans";
import { h } from "../dom";
import { fmtMs, fmtNumber } from "../format";

export function spanTree(nodes: SpanNode[]): HTMLElement {
  return h(
    "ul",
    { class: "tree" },
    nodes.map((n) =>
      h(
        "li",
        null,
        h(
          "div",
          { class: "span-row" },
          h("span", { class: `kind kind-${n.kind}` }, n.kind === "llm" ? "LLM" : "op"),
          h("span", { class: "span-name" }, n.name),
          n.count > 1 ? h("span", { class: "muted" }, ` ×${fmtNumber(n.count)}`) : null,
          h("span", { class: "span-ms" }, fmtMs(n.total_ms)),
          n.errors ? h("span", { class: "bad" }, ` ${n.errors} error${n.errors === 1 ? "" : "s"}`) : null,
        ),
        n.children.length ? spanTree(n.children) : null,
      ),
    ),
  );
}
