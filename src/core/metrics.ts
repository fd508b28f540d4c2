/** Reading metric files. */
import { readJsonl, type ReadOptions } from "./jsonl";

/**
 * The last value of each metric in a metrics.jsonl file (streamed; bad lines skipped with
 * one warning). Metric names are kept as plain own keys, `__proto__` included.
 *
 * @example
 * lastMetricValues("runs/v1/metrics.jsonl"); // { accuracy: 0.91, loss: 0.2 }
 */
export function lastMetricValues(path: string, options?: ReadOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  readJsonl(path, (r) => {
    if (typeof r.name === "string") Object.defineProperty(out, r.name, { value: r.value, enumerable: true, writable: true, configurable: true });
  }, options);
  return out;
}
