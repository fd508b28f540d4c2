/**
 * CI gates: threshold rules (`accuracy>=0.8`) and regression limits against a baseline run
 * (`accuracy=0.02`, `accuracy=2%`), over metrics and run-level figures.
 */
import { UserError } from "../core/errors";
import { isLowerBetter } from "./direction";
import { figureOf, metricTypeOf, type RunReport } from "./summary";
import type { PairedStat } from "./paired";

export type Op = ">=" | "<=" | ">" | "<" | "==" | "!=";

export interface ThresholdRule {
  source: string;
  name: string;
  op: Op;
  value: number;
}

export interface RegressionRule {
  source: string;
  name: string;
  amount: number;
  /** True for `NAME=2%`: the amount is a percentage of the baseline's value. */
  relative: boolean;
}

/** The verdict on one rule. */
export interface RuleResult {
  rule: string;
  kind: "threshold" | "regression";
  name: string;
  passed: boolean;
  /** The run's value; null when missing or not a number. */
  actual: number | null;
  /** Threshold rules: the operator and the number. */
  op: Op | null;
  expected: number | null;
  /** Regression rules: the baseline's value, the regression (positive = worse) and what is allowed. */
  baseline: number | null;
  regression: number | null;
  allowed: number | null;
  relative: boolean;
  lower_is_better: boolean;
  message: string;
  /** `--significant`: the paired test on the common cases this rule was judged by (null when none). */
  paired?: PairedStat | null;
}

export interface CheckResult {
  run_id: string;
  baseline: string | null;
  passed: boolean;
  failed: number;
  results: RuleResult[];
}

const OPS: Record<Op, (a: number, b: number) => boolean> = {
  ">=": (a, b) => a >= b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  "<": (a, b) => a < b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};
const RULE = /^\s*([^<>=!\s][^<>=!]*?)\s*(>=|<=|==|!=|>|<)\s*([^\s<>=!]+)\s*$/;
const REGRESSION = /^\s*([^=\s][^=]*?)\s*=\s*([^\s%=]+)\s*(%?)\s*$/;

/**
 * Parses `--metric "accuracy>=0.8"`. A malformed rule is a UserError showing the right form.
 *
 * @example
 * parseRule("cost_usd<=2"); // { source: "cost_usd<=2", name: "cost_usd", op: "<=", value: 2 }
 */
export function parseRule(text: string): ThresholdRule {
  const m = RULE.exec(text);
  const value = m ? Number(m[3]) : NaN;
  if (!m || m[3] === "" || !Number.isFinite(value)) {
    throw new UserError(`--metric "${text}" is not a rule: write NAME OP NUMBER, like --metric "accuracy>=0.8" (OP is one of >= <= > < == !=)`);
  }
  return { source: text, name: m[1]!, op: m[2] as Op, value };
}

/**
 * Parses `--max-regression "accuracy=0.02"` (absolute) or `"accuracy=2%"` (relative).
 *
 * @example
 * parseRegression("accuracy=2%"); // { source: "accuracy=2%", name: "accuracy", amount: 2, relative: true }
 */
export function parseRegression(text: string): RegressionRule {
  const m = REGRESSION.exec(text);
  const amount = m ? Number(m[2]) : NaN;
  if (!m || !Number.isFinite(amount) || amount < 0) {
    throw new UserError(`--max-regression "${text}" is not a limit: write NAME=AMOUNT or NAME=PERCENT%, like --max-regression accuracy=0.02 or accuracy=2%`);
  }
  return { source: text, name: m[1]!, amount, relative: m[3] === "%" };
}

const clean = (x: number) => Number(x.toPrecision(12));
const show = (v: unknown) => (typeof v === "number" ? String(clean(v)) : JSON.stringify(v));
/** A percentage for reading: three significant digits ("5.88", "0.0123", "250"); JSON keeps the exact figure. */
export const showPercent = (v: number) => (!Number.isFinite(v) ? String(v) : String(Number(Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3))));

function describeMissing(report: RunReport, name: string, role: string): string {
  if (name === "cost_usd" && !report.metrics.some((m) => m.name === name)) return `no LLM call of ${role} ${report.run_id} reported cost_usd`;
  if (name === "duration_seconds") return `${role} ${report.run_id} has no duration_seconds yet (status ${report.status})`;
  const names = report.metrics.map((m) => m.name);
  const has = names.length ? `its metrics: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}` : "it logged no metrics";
  return `${role} ${report.run_id} has no metric "${name}" (${has})`;
}

/** A result with every field, in one order (stable JSON). */
function verdict(r: Partial<RuleResult> & Pick<RuleResult, "rule" | "kind" | "name" | "passed" | "message" | "lower_is_better">): RuleResult {
  return {
    rule: r.rule, kind: r.kind, name: r.name, passed: r.passed,
    actual: r.actual ?? null, op: r.op ?? null, expected: r.expected ?? null,
    baseline: r.baseline ?? null, regression: r.regression ?? null, allowed: r.allowed ?? null, relative: r.relative ?? false,
    lower_is_better: r.lower_is_better, message: r.message,
    ...(r.paired !== undefined ? { paired: r.paired } : {}),
  };
}

/**
 * Checks a run against threshold rules and, with a baseline, regression limits.
 *
 * @example
 * checkReport(report, { rules: [parseRule("accuracy>=0.8")] }).passed; // true
 */
export function checkReport(
  report: RunReport,
  opts: {
    rules?: readonly ThresholdRule[];
    regressions?: readonly RegressionRule[];
    baseline?: RunReport;
    lowerIsBetter?: readonly string[];
    /**
     * `--significant`: the paired statistics of the run against the baseline (per scorer, on
     * their common cases). A regression rule over a scorer is then judged on the paired
     * difference and fails only when it is over the allowed amount and significant.
     */
    paired?: readonly PairedStat[];
  },
): CheckResult {
  const results: RuleResult[] = [];
  const lower = opts.lowerIsBetter ?? [];
  for (const rule of opts.rules ?? []) {
    const raw = figureOf(report, rule.name);
    const base = { rule: rule.source, kind: "threshold" as const, name: rule.name, op: rule.op, expected: rule.value, lower_is_better: isLowerBetter(rule.name, metricTypeOf(report, rule.name), lower) };
    if (raw === undefined) {
      results.push(verdict({ ...base, passed: false, message: `${rule.source}: ${describeMissing(report, rule.name, "run")}` }));
    } else if (typeof raw !== "number") {
      results.push(verdict({ ...base, passed: false, message: `${rule.source}: ${rule.name} is ${show(raw)}, not a number` }));
    } else {
      const passed = OPS[rule.op](raw, rule.value);
      const message = `${rule.source}: ${rule.name} is ${show(raw)}${passed ? "" : ` (needs ${rule.op} ${show(rule.value)})`}`;
      results.push(verdict({ ...base, passed, actual: raw, message }));
    }
  }
  for (const rule of opts.regressions ?? []) {
    const b = opts.baseline;
    if (!b) throw new UserError(`--max-regression ${rule.source} needs a baseline: add --baseline <run>`);
    const lowerIsBetter = isLowerBetter(rule.name, metricTypeOf(report, rule.name) ?? metricTypeOf(b, rule.name), lower);
    const unit = rule.relative ? "%" : "";
    const base = { rule: `${rule.name} max regression ${rule.amount}${unit}`, kind: "regression" as const, name: rule.name, relative: rule.relative, allowed: rule.amount, lower_is_better: lowerIsBetter };
    const raw = figureOf(report, rule.name);
    const rawBase = figureOf(b, rule.name);
    const numbers = { actual: typeof raw === "number" ? raw : null, baseline: typeof rawBase === "number" ? rawBase : null };
    if (raw === undefined || rawBase === undefined) {
      const who = raw === undefined ? describeMissing(report, rule.name, "run") : describeMissing(b, rule.name, "baseline");
      results.push(verdict({ ...base, ...numbers, passed: false, message: `${base.rule}: ${who}` }));
      continue;
    }
    if (typeof raw !== "number" || typeof rawBase !== "number") {
      results.push(verdict({ ...base, ...numbers, passed: false, message: `${base.rule}: ${rule.name} is not a number (${show(rawBase)} in ${b.run_id}, ${show(raw)} in ${report.run_id})` }));
      continue;
    }
    if (opts.paired) {
      const st = opts.paired.find((p) => p.scorer === rule.name);
      if (st) {
        results.push(pairedVerdict(rule, st, base, numbers, b.run_id, lowerIsBetter));
        continue;
      }
    }
    // Positive = worse: a drop, or a rise for lower-is-better figures.
    const worse = clean(lowerIsBetter ? raw - rawBase : rawBase - raw);
    const regression = rule.relative ? (worse <= 0 ? 0 : rawBase === 0 ? Infinity : clean((worse / Math.abs(rawBase)) * 100)) : Math.max(0, worse);
    const passed = regression <= rule.amount;
    const moved = `${show(rawBase)} in ${b.run_id} -> ${show(raw)}`;
    const message = regression > 0
      ? `${rule.name} regressed by ${rule.relative ? showPercent(regression) : show(regression)}${unit} (${moved}); ${passed ? "within" : "over"} the allowed ${show(rule.amount)}${unit}`
      : `${rule.name} did not regress (${moved})`;
    const note = opts.paired ? ` (no per-case scores named ${rule.name} in both runs to test: judged on the metric)` : "";
    results.push(verdict({ ...base, ...numbers, passed, regression: Number.isFinite(regression) ? regression : null, message: message + note, ...(opts.paired ? { paired: null } : {}) }));
  }
  const failed = results.filter((r) => !r.passed).length;
  return { run_id: report.run_id, baseline: opts.baseline?.run_id ?? null, passed: failed === 0, failed, results };
}

const pValue = (p: number) => (p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2))));

/**
 * A regression rule judged on the paired difference: the regression is the mean per-case
 * drop on the common cases (relative: over the baseline's mean there); it fails only when
 * over the allowed amount and significant after Holm's correction (p < 0.05).
 */
function pairedVerdict(
  rule: RegressionRule,
  st: PairedStat,
  base: Pick<RuleResult, "rule" | "kind" | "name" | "relative" | "allowed" | "lower_is_better">,
  numbers: { actual: number | null; baseline: number | null },
  baselineId: string,
  lowerIsBetter: boolean,
): RuleResult {
  const worse = clean(lowerIsBetter ? st.diff : -st.diff);
  const baseMean = numbers.baseline;
  const regression = rule.relative
    ? worse <= 0 ? 0 : !baseMean ? Infinity : clean((worse / Math.abs(baseMean)) * 100)
    : Math.max(0, worse);
  const over = regression > rule.amount;
  const passed = !(over && st.significant);
  const unit = rule.relative ? "%" : "";
  const shown = rule.relative ? showPercent(regression) : show(regression);
  const flips = st.test === "mcnemar" ? `, ${st.worse} down ${st.better} up` : "";
  const test = `paired ${st.test} on ${st.n} common cases${flips}: p=${pValue(st.p)}, Holm p=${pValue(st.p_holm)}`;
  const message = regression > 0
    ? `${rule.name} regressed by ${shown}${unit} against ${baselineId} (${test}); ${!over ? `within the allowed ${show(rule.amount)}${unit}` : st.significant ? `over the allowed ${show(rule.amount)}${unit} and significant` : `over the allowed ${show(rule.amount)}${unit} but within noise (--significant)`}`
    : `${rule.name} did not regress against ${baselineId} (${test})`;
  return verdict({ ...base, ...numbers, passed, regression: Number.isFinite(regression) ? regression : null, message, paired: st });
}
