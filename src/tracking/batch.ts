/**
 * `batchProcessor`: process items in batches, in input order, logging each batch.
 */
import { currentContext } from "./context";

export interface BatchOptions {
  batchSize: number;
  /** true: up to batchSize items in flight; a number: that many; false (default): one. */
  parallel?: boolean | number;
}

/**
 * Wraps a per-item function into `(items) => Promise<results>`. Each batch logs a
 * `batch_processed` event `{batch_index, size, duration_ms, failures}`; an item's error is
 * rethrown once the items in flight have settled.
 *
 * @example
 * const classifyAll = batchProcessor({ batchSize: 10, parallel: 4 })(classify);
 * const labels = await classifyAll(reviews);
 */
export function batchProcessor(opts: BatchOptions) {
  const size = Math.floor(opts?.batchSize);
  if (!Number.isFinite(size) || size < 1) throw new TypeError("batchProcessor needs batchSize >= 1");
  const p = opts.parallel;
  const concurrency = p === true ? size : typeof p === "number" && p >= 1 ? Math.floor(p) : 1;
  return <T, R>(fn: (item: T, index: number) => R | Promise<R>) =>
    async (items: Iterable<T>): Promise<R[]> => {
      const all = [...items];
      const results: R[] = new Array(all.length);
      for (let b = 0, batchIndex = 0; b < all.length; b += size, batchIndex++) {
        const batch = all.slice(b, b + size);
        const start = performance.now();
        let failures = 0;
        let firstError: { error: unknown } | undefined;
        let next = 0;
        const worker = async () => {
          while (next < batch.length && !firstError) {
            const i = next++;
            try {
              results[b + i] = await fn(batch[i]!, b + i);
            } catch (error) {
              failures++;
              firstError ??= { error };
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
        currentContext()?.run.logEvent("batch_processed", {
          batch_index: batchIndex,
          size: batch.length,
          duration_ms: performance.now() - start,
          failures,
        });
        if (firstError) throw firstError.error;
      }
      return results;
    };
}
