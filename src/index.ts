/**
 * scryptorum: local-first tracking for LLM experiments. Runs are plain JSONL and JSON
 * files; nothing leaves the machine.
 */
// Loaded for its registration: milestone runs call the snapshot through core/milestone.ts.
import "./snapshot";
export { experiment, type ExperimentOptions } from "./tracking/experiment";
export { metric, timer, llmCall, type MetricOptions, type LlmCallOptions } from "./tracking/wrappers";
export { getCurrentRun, setDefaultRunType } from "./tracking/context";
export { BaseRunnable, Runner, type RunExperimentOptions } from "./tracking/runnable";
export { batchProcessor, type BatchOptions } from "./tracking/batch";
export { registry, type Plugin } from "./plugins/registry";
export { Experiment, type RunSummary, type CreateRunOptions } from "./core/experiment";
export { Project } from "./core/project";
export { Run, RunType, type RunMeta, type RunStatus, type RunTypeName, type LlmCallInput, type RunTimer } from "./core/run";
export { UserError } from "./core/errors";
export { normalizeUsage, type Usage } from "./core/usage";
export { wrapOpenAI, wrapAnthropic, scryptorumMiddleware, type ScryptorumMiddleware, type ScryptorumMiddlewareOptions } from "./clients";
export { estimateCost, findPrice, priceTable, type ModelPrice, type PriceOverride, type PriceRow, type PriceTable } from "./prices";
export { scryptorumSpanProcessor } from "./otel/processor";
export { readJsonl } from "./core/jsonl";
export { VERSION as version } from "./core/version";
export type { Wrapper } from "./tracking/decorate";
export { dataset, type Dataset, type EvalCase } from "./eval/dataset";
export { prompt, makePrompt, type Prompt } from "./eval/prompt";
export { evaluate, TimeoutError, type TaskContext, type EvaluateOptions, type EvaluateSummary, type CaseResultRecord, type Scorer, type ScoreValue } from "./eval/evaluate";
export { exactMatch, includes, regex, jsonValid, numericCloseness } from "./eval/scorers";
export { judge, type JudgeOptions, type JudgeMessages } from "./eval/judge";
