/**
 * Which way is better for a figure: most metrics go up (accuracy, f1), some go down (loss,
 * latency, cost, errors, duration), and the user may name more.
 */

const LOWER_WORDS = ["loss", "latency", "cost", "error", "duration"];
/** Run-level figures where less is better besides the words above. */
const LOWER_FIGURES = new Set(["tokens", "input_tokens", "output_tokens", "llm_errors"]);

/**
 * True when a smaller value of the metric is better: its name or type mentions loss,
 * latency, cost, error or duration, or the user named it with `--lower-is-better`.
 *
 * @example
 * isLowerBetter("val_loss");               // true
 * isLowerBetter("accuracy");               // false
 * isLowerBetter("wer", "custom", ["wer"]); // true
 */
export function isLowerBetter(name: string, type?: unknown, lowerIsBetter: readonly string[] = []): boolean {
  if (lowerIsBetter.includes(name) || LOWER_FIGURES.has(name)) return true;
  const n = name.toLowerCase();
  const t = typeof type === "string" ? type.toLowerCase() : "";
  return LOWER_WORDS.some((w) => n.includes(w) || t.includes(w));
}

/**
 * "better", "worse" or "same" for a move from `base` to `value`.
 *
 * @example
 * judge(0.8, 0.9, false); // "better"
 * judge(0.3, 0.4, true);  // "worse"
 */
export function judge(base: number, value: number, lowerIsBetter: boolean): "better" | "worse" | "same" {
  if (value === base) return "same";
  return (value > base) !== lowerIsBetter ? "better" : "worse";
}
