/**
 * Turning records into JSONL lines. The hot path is `JSON.stringify` on a plain object;
 * values JSON cannot carry (BigInt, cycles, a throwing toJSON) fall back to a tolerant
 * replacer so user code never sees a throw and every line stays valid JSON.
 */

/** Cached ISO-8601 timestamp: formatting a Date is the costliest step of a small record. */
let cachedMs = -1;
let cachedIso = "";
let cachedSecondMs = -1;
let cachedSecondPrefix = "";

/**
 * `new Date(ms).toISOString()`, cached per millisecond and per second.
 *
 * @example
 * isoTimestamp(Date.UTC(2026, 0, 1, 12, 0, 0, 123)); // "2026-01-01T12:00:00.123Z"
 */
export function isoTimestamp(ms: number = Date.now()): string {
  if (ms === cachedMs) return cachedIso;
  const second = ms - (ms % 1000);
  if (second !== cachedSecondMs) {
    cachedSecondMs = second;
    cachedSecondPrefix = new Date(second).toISOString().slice(0, 20); // "2026-01-01T12:00:00."
  }
  const frac = ms - second;
  cachedMs = ms;
  cachedIso = `${cachedSecondPrefix}${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z`;
  return cachedIso;
}

function tolerantReplacer() {
  const stack: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    if (typeof value === "function" || typeof value === "symbol") return undefined;
    if (value !== null && typeof value === "object") {
      // `this` is the holder: unwind the stack to it, then check for a cycle.
      while (stack.length > 0 && stack[stack.length - 1] !== this) stack.pop();
      if (stack.includes(value)) return "[Circular]";
      stack.push(value);
    }
    return value;
  };
}

/**
 * JSON text for one record, never throwing: BigInt becomes a string, a cycle becomes
 * "[Circular]", NaN/Infinity become null on the fast path (strings on the slow one),
 * lone surrogates are escaped by JSON.stringify itself.
 *
 * @example
 * safeStringify({ n: 1n }); // '{"n":"1"}'
 */
export function safeStringify(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // fall through to the tolerant path
  }
  try {
    return JSON.stringify(value, tolerantReplacer()) ?? "null";
  } catch (error) {
    // A getter or toJSON that throws: record that rather than lose the line.
    return JSON.stringify({ serialization_error: String((error as Error)?.message ?? error) });
  }
}
