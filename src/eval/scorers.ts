/**
 * Built-in scorers. Each returns a scorer for `evaluate({ scores })`.
 *
 * @example
 * evaluate({ data, task, scores: { exact: exactMatch(), cites: includes("source:") } });
 */
import type { Scorer } from "./evaluate";

const str = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** 1 when the output equals `expected` (strings trimmed; `ignoreCase` optional), else 0. */
export function exactMatch(opts: { ignoreCase?: boolean } = {}): Scorer {
  const norm = (v: unknown) => (opts.ignoreCase ? str(v).trim().toLowerCase() : str(v).trim());
  return ({ output, expected }) => norm(output) === norm(expected);
}

/** 1 when the output contains `text` (default: the case's `expected`). */
export function includes(text?: string, opts: { ignoreCase?: boolean } = {}): Scorer {
  return ({ output, expected }) => {
    const hay = str(output);
    const needle = text ?? str(expected);
    return opts.ignoreCase ? hay.toLowerCase().includes(needle.toLowerCase()) : hay.includes(needle);
  };
}

/** 1 when the output matches the pattern. */
export function regex(pattern: RegExp | string): Scorer {
  const re = typeof pattern === "string" ? new RegExp(pattern) : pattern;
  return ({ output }) => {
    re.lastIndex = 0;
    return re.test(str(output));
  };
}

/** 1 when the output is valid JSON (a string that parses, or a value that serialises). */
export function jsonValid(): Scorer {
  return ({ output }) => {
    if (typeof output !== "string") return output !== undefined;
    try {
      JSON.parse(output);
      return { score: 1 };
    } catch (error) {
      return { score: 0, reason: (error as Error).message };
    }
  };
}

/** 1 when the output is a number within `tolerance` (absolute, default 1e-6) of `expected`. */
export function numericCloseness(opts: { tolerance?: number; relative?: boolean } = {}): Scorer {
  const tol = opts.tolerance ?? 1e-6;
  return ({ output, expected }) => {
    const a = Number(typeof output === "string" ? output.trim() : output);
    const b = Number(expected);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return { score: 0, reason: `not a number: ${str(output)}` };
    const diff = Math.abs(a - b);
    return opts.relative ? diff <= tol * Math.max(Math.abs(b), Number.EPSILON) : diff <= tol;
  };
}
