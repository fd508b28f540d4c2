/**
 * What `show` and `compare` print about an evaluation's trials: per-case variance per
 * scorer and the flaky cases (trials that disagree). Pure: read-model objects in, lines out.
 */
import type { Flakiness } from "../read/flaky";
import { formatValue } from "../units";
import { clip, title, type ViewOptions } from "./tables";

const MAX_FLAKY = 20;

/**
 * @example
 * renderFlakiness(readFlakiness(dir)!, { width: 80, color: false });
 * // ["", "FLAKY CASES 2 of 50 cases disagree across 3 trials", "  exact: …", "  q7  exact 1, 0, 1"]
 */
export function renderFlakiness(f: Flakiness, view: ViewOptions, runId?: string): string[] {
  const of = runId ? ` in ${runId}` : "";
  const lines = ["", `${title("FLAKY CASES", view)} ${f.flaky.length} of ${f.cases} case${f.cases === 1 ? "" : "s"}${of} disagree across ${f.trials} trials`];
  for (const [name, s] of Object.entries(f.scorers)) {
    lines.push(`  ${name}: mean per-case variance ${formatValue(Number(s.mean_case_variance.toPrecision(3)))}, ${s.flaky} flaky`);
  }
  for (const c of f.flaky.slice(0, MAX_FLAKY)) {
    const parts = Object.entries(c.scores).map(([name, v]) => `${name} ${v.map((x) => formatValue(x)).join(", ")}`);
    lines.push(clip(`  ${clip(c.case_id, 24)}  ${parts.join("  ")}`, view.width));
  }
  if (f.flaky.length > MAX_FLAKY) lines.push(`  … ${f.flaky.length - MAX_FLAKY} more (see --json)`);
  return lines;
}
