/**
 * The span tree of a run, from span_id/parent_span_id of timings.jsonl and of run.jsonl's
 * llm_call events. Siblings with the same name are merged (a call-tree profile), so a
 * loop of 10,000 LLM calls reads as one line with its count and total.
 */

/** One node of the merged span tree. */
export interface SpanNode {
  name: string;
  kind: "timing" | "llm";
  count: number;
  total_ms: number;
  errors: number;
  children: SpanNode[];
}

interface RawSpan {
  id: string | null;
  parent: string | null;
  name: string;
  kind: "timing" | "llm";
  ms: number;
  start: number;
  error: boolean;
}

/**
 * Collects spans one record at a time, then builds the merged tree.
 *
 * @example
 * const spans = new SpanCollector();
 * spans.add({ operation: "load", duration_ms: 5, span_id: "a", timestamp }, "timing");
 * spans.tree(); // [{ name: "load", kind: "timing", count: 1, total_ms: 5, errors: 0, children: [] }]
 */
export class SpanCollector {
  private spans: RawSpan[] = [];

  add(r: Record<string, unknown>, kind: "timing" | "llm", error = false): void {
    const ms = typeof r.duration_ms === "number" && Number.isFinite(r.duration_ms) ? r.duration_ms : 0;
    const end = typeof r.timestamp === "string" ? Date.parse(r.timestamp) : NaN;
    this.spans.push({
      id: typeof r.span_id === "string" ? r.span_id : null,
      parent: typeof r.parent_span_id === "string" ? r.parent_span_id : null,
      name: kind === "llm" ? String(r.model ?? "llm") : String(r.operation),
      kind,
      ms,
      // Records are written when a span ends; its start orders siblings.
      start: Number.isNaN(end) ? Infinity : end - ms,
      error,
    });
  }

  /** The merged tree; spans whose parent is unknown are roots. */
  tree(): SpanNode[] {
    // `llmCall` writes an llm_call event and a timing with the same span id: one span, shown
    // once, as the LLM call (it says more).
    const llmIds = new Set<string>();
    for (const s of this.spans) if (s.kind === "llm" && s.id !== null) llmIds.add(s.id);
    const spans = llmIds.size === 0 ? this.spans : this.spans.filter((s) => !(s.kind === "timing" && s.id !== null && llmIds.has(s.id)));
    const ids = new Set<string>();
    for (const s of spans) if (s.id !== null) ids.add(s.id);
    const children = new Map<string, RawSpan[]>();
    const roots: RawSpan[] = [];
    for (const s of spans) {
      if (s.parent !== null && s.parent !== s.id && ids.has(s.parent)) {
        const list = children.get(s.parent);
        if (list) list.push(s);
        else children.set(s.parent, [s]);
      } else roots.push(s);
    }
    return merge(roots, children, new Set());
  }
}

function merge(spans: RawSpan[], children: Map<string, RawSpan[]>, seen: Set<string>): SpanNode[] {
  const groups = new Map<string, { node: SpanNode; start: number; members: RawSpan[] }>();
  for (const s of spans) {
    const key = `${s.kind}\u0000${s.name}`;
    let g = groups.get(key);
    if (!g) {
      g = { node: { name: s.name, kind: s.kind, count: 0, total_ms: 0, errors: 0, children: [] }, start: s.start, members: [] };
      groups.set(key, g);
    }
    g.node.count++;
    g.node.total_ms += s.ms;
    if (s.error) g.node.errors++;
    if (s.start < g.start) g.start = s.start;
    g.members.push(s);
  }
  const ordered = [...groups.values()].sort((a, b) => a.start - b.start);
  for (const g of ordered) {
    const kids: RawSpan[] = [];
    for (const m of g.members) {
      // A span id logged twice (or a cycle) must not loop forever.
      if (m.id === null || seen.has(m.id)) continue;
      seen.add(m.id);
      const list = children.get(m.id);
      if (list) for (const k of list) kids.push(k);
    }
    g.node.total_ms = Math.round(g.node.total_ms * 1000) / 1000;
    if (kids.length > 0) g.node.children = merge(kids, children, seen);
  }
  return ordered.map((g) => g.node);
}
