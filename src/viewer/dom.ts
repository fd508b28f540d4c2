/**
 * Building the DOM without HTML: every string becomes a text node, every attribute is set
 * from an allow-list. Nothing in the viewer assigns innerHTML/outerHTML or calls
 * insertAdjacentHTML, so text written by models and users always shows as text.
 */

export type Child = Node | string | number | boolean | null | undefined | Child[];

export interface Props {
  class?: string;
  id?: string;
  title?: string;
  /** Only the viewer's own links: `#/…` routes and `/api/…` downloads. */
  href?: string;
  download?: string | boolean;
  type?: string;
  value?: string;
  placeholder?: string;
  checked?: boolean;
  disabled?: boolean;
  selected?: boolean;
  open?: boolean;
  colspan?: number;
  role?: string;
  "aria-label"?: string;
  "aria-sort"?: string;
  dataset?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** True for a link the viewer makes itself; anything else (javascript:, data:, other hosts) is refused. */
export function safeHref(href: string): boolean {
  return href.startsWith("#/") || href === "#" || href.startsWith("/api/") || href === "/";
}

/**
 * An element with props and children; strings and numbers become text nodes.
 *
 * @example
 * h("p", { class: "note" }, "output: ", llmOutput); // the output shows as text, whatever it holds
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      switch (key) {
        case "on":
          for (const [type, fn] of Object.entries(value as Record<string, EventListener>)) el.addEventListener(type, fn);
          break;
        case "dataset":
          for (const [k, v] of Object.entries(value as Record<string, string>)) el.dataset[k] = String(v);
          break;
        case "href":
          if (!safeHref(String(value))) throw new Error(`refusing link ${String(value).slice(0, 40)}`);
          el.setAttribute("href", String(value));
          break;
        case "class":
          el.className = String(value);
          break;
        case "value":
          (el as unknown as HTMLInputElement).value = String(value);
          break;
        case "checked":
        case "disabled":
        case "selected":
        case "open":
          (el as unknown as Record<string, boolean>)[key] = Boolean(value);
          break;
        case "download":
          el.setAttribute("download", value === true ? "" : String(value));
          break;
        default:
          if (!/^(id|title|type|placeholder|colspan|role|aria-label|aria-sort)$/.test(key)) throw new Error(`unknown prop ${key}`);
          el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays flattened; null, undefined and false skipped). */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A section with a heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", null, title), ...children);
}

/** A table from a header row and body rows. */
export function table(head: Child[], rows: Child[][], cls = "grid"): HTMLTableElement {
  return h(
    "table",
    { class: cls },
    h("thead", null, h("tr", null, head.map((c) => (c instanceof HTMLTableCellElement ? c : h("th", null, c))))),
    h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => (c instanceof HTMLTableCellElement ? c : h("td", null, c)))))),
  );
}

/** A `<pre>` of text (never HTML). */
export function pre(text: string, cls = "text"): HTMLPreElement {
  const el = h("pre", { class: cls });
  el.textContent = text;
  return el;
}
