/** Reading metric files. */
import { readJsonl, type ReadOptions } from "./jsonl";
import { LastValues } from "./records";

/**
 * The last value of each metric in a metrics.jsonl file (streamed; bad lines skipped with
 * one warning). Metric names are kept as plain own keys, `__proto__` included.
 *
 * @example
 * lastMetricValues("runs/v1/metrics.jsonl"); // { accuracy: 0.91, loss: 0.2 }
 */
export function lastMetricValues(path: string, options?: ReadOptions): Record<string, unknown> {
  const last = new LastValues();
  readJsonl(path, (r) => last.add(r), options);
  return last.values;
}
