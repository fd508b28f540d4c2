/**
 * `bun run check:imports`: the layering rules of src/ (README "Developing scryptorum"), checked
 * from the source text. Fails (exit 1, one line per finding) on
 *  - any import cycle among src/ files (type-only imports count: they are the same coupling);
 *  - any src/core file importing from another src/ folder (core is the bottom layer).
 * Relative imports are followed (`import`, `export … from`, `import("…")`); packages are not.
 *
 * Usage: bun scripts/check-imports.ts [--json] [root]
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportFinding {
  kind: "cycle" | "core-layer";
  /** Paths relative to the root, with "/" separators. */
  files: string[];
  message: string;
}

const SPEC = /(?:^|[^\w$.])(?:import|export)\s*(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Relative specifiers of one file's imports (comments stripped first, strings kept). */
export function importSpecifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.startsWith(".")) out.push(spec);
  }
  return out;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function resolveSpec(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith(".ts")) return candidate;
  }
  return undefined;
}

/**
 * The findings for the project at `root` (its src/ folder); empty when the layering holds.
 *
 * @example
 * checkImports(process.cwd()); // [] on a clean tree
 */
export function checkImports(root: string): ImportFinding[] {
  const src = join(root, "src");
  const rel = (p: string) => relative(root, p).split("\\").join("/");
  const files = listTs(src).sort();
  const graph = new Map<string, string[]>();
  const findings: ImportFinding[] = [];
  for (const file of files) {
    const deps: string[] = [];
    for (const spec of importSpecifiers(readFileSync(file, "utf8"))) {
      const target = resolveSpec(file, spec);
      if (target === undefined || !target.startsWith(src)) continue;
      deps.push(target);
      const inCore = rel(file).startsWith("src/core/");
      if (inCore && !rel(target).startsWith("src/core/")) {
        findings.push({ kind: "core-layer", files: [rel(file), rel(target)], message: `${rel(file)} imports ${rel(target)}: src/core imports nothing from other src/ folders` });
      }
    }
    graph.set(file, [...new Set(deps)]);
  }
  // Strongly connected components (Tarjan): each component of more than one file, or a file
  // importing itself, is a cycle; one finding per component, with one concrete loop shown.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) {
        const loop = shortestLoop(graph, new Set(component), component.sort()[0]!);
        const members = component.map(rel).sort();
        const more = members.length > loop.length - 1 ? ` (the cycle's files: ${members.join(", ")})` : "";
        findings.push({ kind: "cycle", files: members, message: `import cycle: ${loop.map(rel).join(" -> ")}${more}` });
      }
    }
  };
  for (const file of files) if (!idx.has(file)) visit(file);
  return findings;
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function shortestLoop(graph: Map<string, string[]>, within: Set<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const root = resolve(args.find((a) => !a.startsWith("--")) ?? join(import.meta.dir, ".."));
  const findings = checkImports(root);
  if (json) console.log(JSON.stringify({ ok: findings.length === 0, findings }, null, 2));
  else if (findings.length === 0) console.log("imports: no cycle among src/ files; src/core imports only src/core");
  else {
    for (const f of findings) console.error(f.message);
    console.error(`imports: ${findings.length} problem${findings.length === 1 ? "" : "s"}`);
  }
  process.exit(findings.length === 0 ? 0 : 1);
}
