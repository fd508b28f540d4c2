/**
 * Line diffs: Myers' O(ND) algorithm on interned lines, printed as a unified diff
 * (`diff -u` style, 3 lines of context). Common prefix and suffix are trimmed first; a
 * middle part needing more than MAX_EDITS edits is shown as replaced whole, which keeps
 * memory bounded (the trace grows with the square of the edit count).
 */

export type EditOp = " " | "-" | "+";

/** One line of an edit script: kept, removed from a, or added from b. */
export interface Edit {
  op: EditOp;
  line: string;
  /** 1-based line numbers in a and b (0 where the line is not in that side). */
  a: number;
  b: number;
}

const MAX_EDITS = 4000;
const NO_EOL = "\u0000no-eol";

/**
 * The edit script turning lines `a` into lines `b`.
 *
 * @example
 * diffLines(["x", "y"], ["x", "z"]).map((e) => e.op + e.line); // [" x", "-y", "+z"]
 */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const ids = new Map<string, number>();
  const intern = (l: string) => {
    let id = ids.get(l);
    if (id === undefined) ids.set(l, (id = ids.size));
    return id;
  };
  const ai = Int32Array.from(a, intern);
  const bi = Int32Array.from(b, intern);
  let pre = 0;
  while (pre < ai.length && pre < bi.length && ai[pre] === bi[pre]) pre++;
  let suf = 0;
  while (suf < ai.length - pre && suf < bi.length - pre && ai[ai.length - 1 - suf] === bi[bi.length - 1 - suf]) suf++;

  const out: Edit[] = [];
  for (let i = 0; i < pre; i++) out.push({ op: " ", line: a[i]!, a: i + 1, b: i + 1 });
  const moves = myers(ai.subarray(pre, ai.length - suf), bi.subarray(pre, bi.length - suf));
  let x = pre;
  let y = pre;
  for (const op of moves) {
    if (op === " ") out.push({ op, line: a[x]!, a: ++x, b: ++y });
    else if (op === "-") out.push({ op, line: a[x]!, a: ++x, b: 0 });
    else out.push({ op, line: b[y]!, a: 0, b: ++y });
  }
  for (let i = 0; i < suf; i++) out.push({ op: " ", line: a[x]!, a: ++x, b: ++y });
  return out;
}

/** Myers' shortest edit script as a list of ops; replaced whole beyond MAX_EDITS. */
function myers(a: Int32Array, b: Int32Array): EditOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...Array<EditOp>(n).fill("-"), ...Array<EditOp>(m).fill("+")];
  const max = Math.min(n + m, MAX_EDITS);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return [...Array<EditOp>(n).fill("-"), ...Array<EditOp>(m).fill("+")];
}

function backtrack(trace: Int32Array[], n: number, m: number): EditOp[] {
  const ops: EditOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const at = (k: number) => v[k + d]!; // trace[d] holds k = -d..d
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push(" ");
      x--;
      y--;
    }
    if (d > 0) ops.push(x === prevX ? "+" : "-");
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** Splits text into lines; a last line without "\n" is marked so the diff can say so. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/**
 * A unified diff of two texts; "" when they are equal.
 *
 * @example
 * unifiedDiff("a\nb\n", "a\nc\n", { from: "a/x.txt", to: "b/x.txt" });
 * // "--- a/x.txt\n+++ b/x.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
 */
export function unifiedDiff(aText: string, bText: string, opts: { from?: string; to?: string; context?: number } = {}): string {
  if (aText === bText) return "";
  const ctx = opts.context ?? 3;
  const edits = diffLines(splitLines(aText), splitLines(bText));
  const out: string[] = [`--- ${opts.from ?? "a"}`, `+++ ${opts.to ?? "b"}`];
  const changed = edits.map((e, i) => (e.op === " " ? -1 : i)).filter((i) => i >= 0);
  let i = 0;
  while (i < changed.length) {
    // A hunk spans changes closer than twice the context.
    let j = i;
    while (j + 1 < changed.length && changed[j + 1]! - changed[j]! <= 2 * ctx + 1) j++;
    const start = Math.max(0, changed[i]! - ctx);
    const end = Math.min(edits.length - 1, changed[j]! + ctx);
    const hunk = edits.slice(start, end + 1);
    out.push(hunkHeader(hunk, edits, start));
    for (const e of hunk) {
      const eol = e.line.endsWith(NO_EOL);
      out.push(e.op + (eol ? e.line.slice(0, -NO_EOL.length) : e.line));
      if (eol) out.push("\\ No newline at end of file");
    }
    i = j + 1;
  }
  return `${out.join("\n")}\n`;
}

function hunkHeader(hunk: Edit[], all: Edit[], start: number): string {
  const aLines = hunk.filter((e) => e.op !== "+").length;
  const bLines = hunk.filter((e) => e.op !== "-").length;
  // The line before the hunk's first line in each file (diff -u counts a 0-line range from there).
  let aBefore = 0;
  let bBefore = 0;
  for (let i = start - 1; i >= 0 && (aBefore === 0 || bBefore === 0); i--) {
    if (aBefore === 0 && all[i]!.a) aBefore = all[i]!.a;
    if (bBefore === 0 && all[i]!.b) bBefore = all[i]!.b;
  }
  const range = (before: number, count: number) => (count === 0 ? `${before},0` : count === 1 ? `${before + 1}` : `${before + 1},${count}`);
  return `@@ -${range(aBefore, aLines)} +${range(bBefore, bLines)} @@`;
}
