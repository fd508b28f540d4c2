/**
 * The read model: pure functions over run folders returning plain JSON-able objects. The
 * CLI's show/compare/diff/check/export print them; the web viewer serves them.
 */
export { findExperiment, listExperimentRuns, resolveRun, type ExperimentRef } from "./locate";
export { readRunReport, figureOf, metricTypeOf, type RunReport, type RunFigures, type GitSummary, type ReportOptions } from "./summary";
export type { MetricSummary, TimingSummary, LlmSummary, ModelSummary, SlowCall } from "./aggregate";
export type { SpanNode } from "./spans";
export type { DurationStats } from "./stats";
export { compareReports, delta, type Comparison, type CompareRow, type ComparedRun, type CompareOptions } from "./compare";
export { readCases, compareCases, type CaseResult, type CaseChange, type CaseCounts, type CaseComparison, type CasesReport, type CaseStatus } from "./cases";
export { diffLines, unifiedDiff, splitLines, type Edit } from "./diff";
export { diffRuns, diffConfig, type RunDiff, type FileChange, type ConfigChange } from "./rundiff";
export { parseRule, parseRegression, checkReport, CheckFailed, type ThresholdRule, type RegressionRule, type RuleResult, type CheckResult, type Op } from "./check";
export { exportRows, toCsv, toJson, toMarkdown, renderExport, csvField, EXPORT_FORMATS, type ExportRow, type ExportFormat } from "./export";
export { filterRuns, parseSince, type RunFilter } from "./filter";
export { isLowerBetter, judge } from "./direction";
