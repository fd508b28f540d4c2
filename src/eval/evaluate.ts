/**
 * `evaluate()`: runs a task over a dataset's cases (and trials), scores each output, writes
 * one `case_result` record per case and trial to the current run, and one metric per scorer
 * (value the mean; extra fields n, stderr, ci_low, ci_high). Cases that already have a
 * successful result in the run are skipped, so `scryptorum run … --resume <run-id>` reruns
 * only what is missing.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { readJsonl } from "../core/jsonl";
import { currentCase, runInCase, type CaseScope } from "../core/scope";
import { describeError, EventType, type CaseResultFields } from "../core/records";
import { getCurrentRun } from "../tracking/context";
import { dataset as loadDataset, datasetSource, resolveDataset, toCase, type Dataset, type DatasetSource, type EvalCase } from "./dataset";
import { readCases, scanDataset } from "./source";
import type { IdSet } from "./idset";
import { readBackResults } from "./readback";
import { aggregate, scorerAggregate, type Aggregate } from "./stats";
import { caseHashes, fingerprint, fingerprintChanges, ResumeRefused, type Fingerprint } from "./fingerprint";
import { createProgress } from "./progress";
import { flakiness, type FlakyCase } from "../read/flaky";
import type { Run } from "../core/run";

export type ScoreValue = number | boolean | { score: number | boolean; reason?: string };
export type Scorer<I = any, O = any, E = any> = (args: { input: I; output: O; expected: E | undefined; metadata: Record<string, unknown> | undefined }) => ScoreValue | Promise<ScoreValue>;

export interface EvaluateOptions<I = any, O = any, E = any> {
  /** Cases: an array, `dataset(…)`, or a dataset name. */
  data: string | readonly (EvalCase<I, E> | { input: I; expected?: E; id?: string | number; metadata?: Record<string, unknown> })[];
  /** Runs one case; with `timeoutMs`, its third argument's `signal` aborts when the case times out. */
  task: (input: I, c: EvalCase<I, E>, ctx: TaskContext) => O | Promise<O>;
  scores: Record<string, Scorer<I, O, E>>;
  /** Cases in flight at once (default 4). */
  concurrency?: number;
  /** Runs of each case (default 1). */
  trials?: number;
  /**
   * Stop starting cases once the LLM calls logged by the tasks cost this much. The cost of
   * the cases in flight is reserved (at the mean cost of a finished case), and a call whose
   * cost is unknown (a model with no price) stops the evaluation: the cap could never trip.
   * `scryptorum run --max-cost-usd` overrides it (to resume with a higher cap).
   */
  maxCostUsd?: number;
  /** Retries of a task that throws (or times out), with exponential backoff and jitter (default 0). */
  retries?: number;
  /**
   * Per-case timeout in milliseconds (default: none). A task still running after it fails
   * the attempt with a `TimeoutError` (retried like any error); the task's `ctx.signal`
   * aborts then, so a `fetch(url, { signal })` or an SDK call given the signal stops too.
   */
  timeoutMs?: number;
  /**
   * Skip cases (and trials) that already have a successful result in the run (default true).
   * In a resumed run the dataset, prompts and scorers must be those it began with, unless
   * `{ force: true }` (or `scryptorum run --resume … --force`).
   */
  resume?: boolean | { force?: boolean };
  /** Progress on stderr: a live line on a terminal, a line per 10% otherwise (default true; SCRYPTORUM_PROGRESS=0 turns it off). */
  progress?: boolean;
}

/** The third argument of a task: the attempt's trial index and, with `timeoutMs`, an abort signal. */
export interface TaskContext {
  trial: number;
  /** Aborts when the case's `timeoutMs` runs out (absent without `timeoutMs`). */
  signal?: AbortSignal;
}

/** A case that ran longer than `timeoutMs` (recorded on the case, retried like any error). */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * Awaits a task's promise for at most `ms`: a timeout rejects with a TimeoutError and
 * aborts `ctrl`, so the task can stop its own work.
 */
function withTimeout<T>(p: PromiseLike<T>, ms: number, ctrl: AbortController, caseId: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`case ${caseId} timed out after ${ms} ms (timeoutMs)`);
      reject(error); // first: a task that settles on abort must not win the race
      ctrl.abort(error);
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Adds what an attempt's own scope gathered (until now) to its case's scope. */
function absorb(into: CaseScope, from: CaseScope): void {
  into.cost += from.cost;
  into.retries += from.retries;
  if (from.prompts) into.prompts = { ...into.prompts, ...from.prompts };
  if (from.unpriced !== undefined) into.unpriced ??= from.unpriced;
  if (from.retriesBy) {
    into.retriesBy ??= {};
    for (const key in from.retriesBy) into.retriesBy[key] = (into.retriesBy[key] ?? 0) + from.retriesBy[key]!;
  }
}

/** One `case_result` record (its type lives with the other records, in core/records.ts). */
export type CaseResultRecord = CaseResultFields;

export interface EvaluateSummary {
  dataset: { name: string; hash: string; cases: number };
  trials: number;
  /** Results in this call (skipped ones not counted). */
  ran: number;
  /** Case/trial pairs skipped because the run already had a successful result. */
  skipped: number;
  errors: number;
  cost_usd: number;
  /** LLM calls answered 429 (or 503/529) and retried by the rate limiter, in this call. */
  rate_limit_retries: number;
  /** The same by limiter, `provider/model` -> retries (when there were any): the tasks' and the judges' calls of one model share one. */
  rate_limit_retries_by_model?: Record<string, number>;
  /** Set when `maxCostUsd` stopped the evaluation before every case ran. */
  stopped?: "budget";
  /** Case/trial pairs not run because the budget stopped the evaluation. */
  remaining?: number;
  /** Per scorer; with trials > 1 also `case_variance` (mean over cases of the variance across trials) and `flaky` (cases whose trials disagree). */
  scores: Record<string, Aggregate & { case_variance?: number; flaky?: number }>;
  /** With trials > 1: the cases whose trials disagree, with each disagreeing scorer's values. */
  flaky?: FlakyCase[];
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";

/** Which evaluate() call of a run this is (a run may hold several evaluations). */
const evalCounts = new WeakMap<Run, number>();

/** The budget: the option, unless `scryptorum run --max-cost-usd` set a new one. */
function budgetOf(opt: number | undefined): number | undefined {
  const env = process.env.SCRYPTORUM_MAX_COST_USD;
  if (env !== undefined && env !== "") {
    const v = Number(env);
    if (!Number.isFinite(v) || v < 0) throw new UserError(`SCRYPTORUM_MAX_COST_USD="${env}" is not an amount: give a number of US dollars, like 5`);
    return v;
  }
  if (opt === undefined) return undefined;
  if (typeof opt !== "number" || !Number.isFinite(opt) || opt < 0) throw new UserError(`evaluate(): maxCostUsd must be a number of US dollars, like 5, not ${JSON.stringify(opt)}`);
  return opt;
}

function toScore(v: ScoreValue): { score: number; reason?: string } {
  if (typeof v === "boolean") return { score: v ? 1 : 0 };
  if (typeof v === "number") return { score: v };
  if (v && typeof v === "object" && "score" in v) {
    const s = typeof v.score === "boolean" ? (v.score ? 1 : 0) : Number(v.score);
    return v.reason === undefined ? { score: s } : { score: s, reason: String(v.reason) };
  }
  throw new TypeError(`a scorer returned ${JSON.stringify(v)}: return a number, a boolean or { score, reason }`);
}

interface Previous {
  /** Successful results already in the run, by `case_id#trial` (only their scores when `compact`). */
  done: Map<string, CaseResultRecord>;
  /** The first `eval_started` of each evaluation index (what a resume is checked against). */
  started: Map<number, Record<string, unknown>>;
}

/**
 * What the run already holds for the evaluation numbered `evalIndex` in it (for resume);
 * `compact`: keep each result's id, trial and scores only. A run's second `evaluate()` (a
 * second model over the same cases, say) is a different evaluation: its `case_result` lines
 * carry `eval_index` (left out for the first, 0), so it never takes the first's results as its own.
 */
function previousResults(run: Run | undefined, compact: boolean, evalIndex: number): Previous {
  const prev: Previous = { done: new Map(), started: new Map() };
  if (!run) return prev;
  run.flush();
  if (!existsSync(run.logFile)) return prev;
  readJsonl(run.logFile, (r) => {
    if (r.event_type === "eval_started") {
      const i = typeof r.eval_index === "number" ? r.eval_index : 0;
      if (!prev.started.has(i)) prev.started.set(i, r);
      return;
    }
    if (r.event_type !== EventType.CASE_RESULT || r.error) return;
    if ((typeof r.eval_index === "number" ? r.eval_index : 0) !== evalIndex) return;
    const rec = r as unknown as CaseResultRecord;
    prev.done.set(`${rec.case_id}#${rec.trial}`, compact ? ({ case_id: rec.case_id, trial: rec.trial, scores: rec.scores } as CaseResultRecord) : rec);
  });
  return prev;
}

/** The cases evaluate() goes through, one at a time, and what it records about them. */
interface Plan {
  name: string;
  hash: string;
  count: number;
  /** `eval_started`'s `case_hashes`: an object (a dataset in memory) or its JSON text (streamed). */
  caseHashes: Record<string, string> | string;
  cases: () => Iterator<EvalCase>;
  /** Streamed: its case ids, to tell its records in run.jsonl from others'. */
  ids?: IdSet;
}

/** The dataset file `data` stands for, when it can be streamed (a `.json` file is one array, read whole). */
function streamable(data: EvaluateOptions["data"]): DatasetSource | undefined {
  const src = typeof data === "string" ? resolveDataset(data) : datasetSource(data);
  return src && !src.file.endsWith(".json") ? src : undefined;
}

/** The plan for `data`; `onCase` gets each case id in order, before any case runs. */
function planOf(data: EvaluateOptions["data"], src: DatasetSource | undefined, onCase?: (id: string) => void): Plan {
  if (src) {
    const { hash, count, caseHashesJson, ids } = scanDataset(src.file, src.name, toCase, onCase);
    return { name: src.name, hash, count, caseHashes: caseHashesJson, cases: () => readCases(src.file, { count, ids }, toCase), ids };
  }
  const ds: Dataset = typeof data === "string" ? loadDataset(data) : "hash" in (data as object) ? (data as Dataset) : loadDataset(data as unknown[]);
  if (onCase) for (const c of ds) onCase(c.id);
  return { name: ds.name, hash: ds.hash, count: ds.length, caseHashes: caseHashes(ds), cases: () => ds[Symbol.iterator]() };
}

/**
 * Runs an evaluation.
 *
 * @example
 * const { summary } = await evaluate({
 *   data: dataset("questions"),
 *   task: (q) => ask(q),
 *   scores: { exact: exactMatch(), short: ({ output }) => output.length < 200 },
 *   concurrency: 8,
 * });
 */
export async function evaluate<I = any, O = any, E = any>(opts: EvaluateOptions<I, O, E>): Promise<{ results: CaseResultRecord[]; summary: EvaluateSummary }> {
  if (typeof opts?.task !== "function") throw new UserError("evaluate() needs task: a function (input, case) => output");
  if (!opts.scores || typeof opts.scores !== "object") throw new UserError("evaluate() needs scores: an object of named scorers, { exact: exactMatch() }");
  for (const [name, s] of Object.entries(opts.scores)) {
    if (typeof s !== "function") throw new UserError(`evaluate(): scores.${name} is not a function: a scorer is ({ input, output, expected }) => number | boolean | { score, reason }`);
  }
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const trials = Math.max(1, Math.floor(opts.trials ?? 1));
  const retries = Math.max(0, Math.floor(opts.retries ?? 0));
  if (opts.timeoutMs !== undefined && !(typeof opts.timeoutMs === "number" && opts.timeoutMs > 0 && Number.isFinite(opts.timeoutMs))) {
    throw new UserError(`evaluate(): timeoutMs must be a positive number of milliseconds, not ${JSON.stringify(opts.timeoutMs)}: leave it out for no timeout`);
  }
  const timeoutMs = opts.timeoutMs;
  const src = streamable(opts.data);
  const maxCost = budgetOf(opts.maxCostUsd);
  const run = getCurrentRun();
  // Streamed inside a run: results go to run.jsonl only, read back if `results` is asked for.
  const keep = !(src && run);
  const evalIndex = run ? (evalCounts.get(run) ?? 0) : 0;
  if (run) evalCounts.set(run, evalIndex + 1);
  const prev = opts.resume === false ? { done: new Map<string, CaseResultRecord>(), started: new Map() } : previousResults(run, !keep, evalIndex);
  const previous = prev.done;
  // This evaluation's earlier results (a run may hold other evaluations' too), in dataset order.
  const before: CaseResultRecord[] = [];
  const collect = (id: string) => {
    for (let t = 0; t < trials; t++) {
      const r = previous.get(`${id}#${t}`);
      if (r) before.push(r);
    }
  };
  const plan = planOf(opts.data, src, previous.size > 0 ? collect : undefined);
  const print = typeof opts.progress === "boolean" ? opts.progress : process.env.SCRYPTORUM_PROGRESS !== "0";
  const count = plan.count;
  const fp = fingerprint({ name: plan.name, hash: plan.hash, length: count }, opts.scores, run ? join(run.dir, "..", "..") : undefined);
  // A resumed run: the evaluation must be the one it began (else its results mix two).
  const first = prev.started.get(evalIndex);
  let forced: string[] | undefined;
  if (run && first && first.fingerprint) {
    const was = first.fingerprint as Fingerprint;
    // The case hashes say how the dataset changed (parsed from the text only when it did).
    const now = was.dataset?.hash === plan.hash ? undefined : typeof plan.caseHashes === "string" ? (JSON.parse(plan.caseHashes) as Record<string, string>) : plan.caseHashes;
    const changes = fingerprintChanges(was, fp, first.case_hashes as Record<string, string> | undefined, now);
    const force = (typeof opts.resume === "object" && opts.resume?.force === true) || process.env.SCRYPTORUM_RESUME_FORCE === "1";
    if (changes.length && !force) throw new ResumeRefused(run.id, changes);
    if (changes.length) {
      forced = changes;
      process.stderr.write(`[warn] resuming run "${run.id}" although ${changes.join("; ")} (--force)\n`);
    }
  }
  const skippedCount = before.length;
  const toRun = count * trials - skippedCount;
  const started = {
    dataset: plan.name, dataset_hash: plan.hash, cases: count, trials, scorers: Object.keys(opts.scores), to_run: toRun, skipped: skippedCount,
    eval_index: evalIndex, fingerprint: fp, ...(maxCost !== undefined ? { max_cost_usd: maxCost } : {}), ...(forced ? { forced_changes: forced } : {}),
  };
  if (typeof plan.caseHashes === "string") run?.logEventWithJson("eval_started", started, "case_hashes", plan.caseHashes);
  else run?.logEvent("eval_started", { ...started, case_hashes: plan.caseHashes });
  plan.caseHashes = ""; // written: nothing to hold while the cases run
  // Where this evaluation's records begin in run.jsonl (for reading its results back).
  let startOffset = 0;
  if (!keep && run) {
    run.flush();
    startOffset = statSync(run.logFile).size;
  }
  if (print && skippedCount > 0) process.stderr.write(`eval ${plan.name}: ${skippedCount} of ${count * trials} already done in run "${run?.id}", ${toRun} to run\n`);
  // LLM calls logged inside a case charge it and its evaluation's spend (chargeCase in
  // core/scope.ts, called by Run); each evaluate() call has its own spend, so two running at
  // once do not share a budget.
  // An evaluation run inside another's case spends from that one's budget too.
  const spent = { usd: 0, parent: currentCase()?.spent };
  const results: CaseResultRecord[] = [];
  let ran = 0;
  let rateLimitRetries = 0;
  const retriesBy: Record<string, number> = {};
  let stopped: "budget" | undefined;
  let unpriced: string | undefined;
  let inFlight = 0;
  let finishedCost = 0;
  let finishedCount = 0;
  let errorCount = 0;
  const progress = print ? createProgress(plan.name) : undefined;
  // The aggregates need each scorer's values, not the results: numbers, in result order.
  const names = Object.keys(opts.scores);
  const values: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const addScores = (r: CaseResultRecord) => {
    if (r.error) return;
    for (const n of names) {
      const v = r.scores?.[n];
      if (typeof v === "number") values[n]!.push(v);
    }
  };
  for (const r of before) addScores(r);
  // With trials > 1 the flakiness needs each case's trials: their ids and scores.
  const trialRows: CaseResultRecord[] | undefined = trials > 1 ? [...before] : undefined;

  // The case/trial pairs to run, in dataset order, read as the workers take them: `peek`
  // readies the next one (nextCase, nextTrial), the worker that runs it clears `ready`.
  const it = plan.cases();
  let curCase: EvalCase | undefined;
  let curTrial = trials;
  let nextCase: EvalCase | undefined;
  let nextTrial = 0;
  let ready = false;
  const peek = (): boolean => {
    if (ready) return true;
    for (;;) {
      if (++curTrial >= trials) {
        const n = it.next();
        if (n.done) return false;
        curCase = n.value;
        curTrial = 0;
      }
      if (previous.size === 0 || !previous.has(`${curCase!.id}#${curTrial}`)) {
        nextCase = curCase;
        nextTrial = curTrial;
        return (ready = true);
      }
    }
  };

  // The hot path (BENCHMARKS.md, "Evaluations"): each worker runs its cases in one case
  // scope (below); no async function of ours per case, no await on a value that is not a
  // promise, no closure made per case, and the record is written once, as text, not copied
  // into another object first.
  const scorers = Object.entries(opts.scores);
  const task = opts.task;
  /** Puts a scorer's value on the record; returns its reason, if any. */
  const take = (result: CaseResultRecord, name: string, v: ScoreValue): string | undefined => {
    if (typeof v === "boolean") result.scores[name] = v ? 1 : 0;
    else if (typeof v === "number") result.scores[name] = v;
    else {
      const s = toScore(v);
      result.scores[name] = s.score;
      return s.reason;
    }
    return undefined;
  };
  const fail = (result: CaseResultRecord, name: string, error: unknown) => {
    result.error = { name: "ScorerError", message: `scorer ${name}: ${describeError(error).message}` };
  };
  /** Scores an output; from the first scorer that answers with a promise on, `scoreRest`. */
  const score = (c: EvalCase, result: CaseResultRecord): void | Promise<void> => {
    const args = { input: c.input as I, output: result.output as O, expected: c.expected as E, metadata: c.metadata };
    let reasons: Record<string, string> | undefined;
    for (let i = 0; i < scorers.length; i++) {
      const [name, scorer] = scorers[i]!;
      try {
        const v = scorer(args);
        if (isThenable(v)) return scoreRest(result, args, i, v, reasons);
        const reason = take(result, name, v);
        if (reason !== undefined) (reasons ??= {})[name] = reason;
      } catch (error) {
        fail(result, name, error);
      }
    }
    if (reasons) result.reasons = reasons;
  };
  const scoreRest = async (result: CaseResultRecord, args: Parameters<Scorer<I, O, E>>[0], from: number, pending: PromiseLike<ScoreValue>, reasons: Record<string, string> | undefined): Promise<void> => {
    for (let i = from; i < scorers.length; i++) {
      const [name, scorer] = scorers[i]!;
      try {
        const reason = take(result, name, i === from ? await pending : await scorer(args));
        if (reason !== undefined) (reasons ??= {})[name] = reason;
      } catch (error) {
        fail(result, name, error);
      }
    }
    if (reasons) result.reasons = reasons;
  };

  /** Writes a finished case's record and counts it. */
  const finish = (scope: CaseScope, result: CaseResultRecord, start: number): void => {
    result.duration_ms = Math.round((performance.now() - start) * 1000) / 1000;
    if (scope.cost > 0) result.cost_usd = scope.cost;
    // The worker's next case starts a new prompts object: this one needs no copy.
    if (scope.prompts) result.prompts = scope.prompts;
    if (scope.retries > 0) {
      result.retries = scope.retries;
      rateLimitRetries += scope.retries;
      for (const key in scope.retriesBy) retriesBy[key] = (retriesBy[key] ?? 0) + scope.retriesBy[key]!;
    }
    run?.logEventFields(EventType.CASE_RESULT, result as unknown as Record<string, unknown>);
    if (keep) results.push(result);
    addScores(result);
    if (trialRows) trialRows.push(keep ? result : ({ case_id: result.case_id, trial: result.trial, scores: result.scores, error: result.error } as CaseResultRecord));
    ran++;
    finishedCost += scope.cost;
    finishedCount++;
    if (result.error) errorCount++;
    if (scope.unpriced !== undefined && unpriced === undefined) unpriced = scope.unpriced;
    progress?.update({ done: ran, total: toRun, errors: errorCount, spentUsd: spent.usd });
  };

  // With a budget: the cases in flight reserve the mean cost of a finished case, and until
  // one has finished (its cost unknown) only one case runs.
  const mayStart = (): boolean => {
    if (maxCost === undefined) return true;
    const used = spent.usd;
    if (used >= maxCost * (1 - 1e-9)) return false;
    if (finishedCount === 0) return inFlight === 0;
    const perCase = finishedCost / finishedCount;
    // A relative epsilon: 29 cents summed in floating point is a hair over 0.29.
    return used + (inFlight + 1) * perCase <= maxCost * (1 + 1e-9) + 1e-12;
  };
  // Each worker runs in one case scope, reset for each case it takes: one AsyncLocalStorage
  // frame per worker, not one per case. (Work a task leaves running after it returns is
  // counted to the worker's next case: before, it went to a case already written.)
  const worker = () => {
    const scope: CaseScope = { caseId: "", trial: 0, cost: 0, retries: 0, capped: maxCost !== undefined, prompts: undefined, unpriced: undefined, retriesBy: undefined, spent };
    return runInCase(scope, loop, scope);
  };
  const loop = async (scope: CaseScope) => {
    while (unpriced === undefined && peek()) {
      if (!mayStart()) {
        // Others still running may free their reservation (or spend it): wait for them.
        if (inFlight > 0 && spent.usd < (maxCost ?? Infinity)) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        stopped = "budget";
        return;
      }
      const c = nextCase!;
      const trial = nextTrial;
      ready = false;
      inFlight++;
      try {
        scope.caseId = c.id;
        scope.trial = trial;
        scope.cost = 0;
        scope.retries = 0;
        scope.prompts = undefined;
        scope.unpriced = undefined;
        scope.retriesBy = undefined;
        const start = performance.now();
        const result: CaseResultRecord = { case_id: c.id, trial, input: c.input, output: null, scores: {}, duration_ms: 0 };
        if (c.expected !== undefined) result.expected = c.expected;
        if (evalIndex > 0) result.eval_index = evalIndex;
        let failed = false;
        for (let attempt = 0; ; attempt++) {
          try {
            let out: unknown;
            if (timeoutMs === undefined) {
              out = task(c.input as I, c as EvalCase<I, E>, { trial });
              if (isThenable(out)) out = await out;
            } else {
              // An attempt that may be abandoned runs in a scope of its own: what it still
              // spends after its timeout counts to the budget (`spent` is shared), never to
              // the worker's next case.
              const ctrl = new AbortController();
              const own: CaseScope = { ...scope, cost: 0, retries: 0, retriesBy: undefined, prompts: undefined, unpriced: undefined };
              try {
                out = runInCase(own, task, c.input as I, c as EvalCase<I, E>, { trial, signal: ctrl.signal });
                if (isThenable(out)) out = await withTimeout(out, timeoutMs, ctrl, c.id);
              } finally {
                absorb(scope, own);
              }
            }
            result.output = out;
            break;
          } catch (error) {
            // Our own usage errors (a prompt variable missing, a dataset not found) hold for
            // every case: stop the evaluation rather than record the same error 1,000 times.
            if (error instanceof UserError) throw error;
            if (attempt >= retries) {
              result.error = describeError(error, { stack: false });
              failed = true;
              break;
            }
            await new Promise((r) => setTimeout(r, Math.min(30_000, 200 * 2 ** attempt) * (0.5 + Math.random())));
          }
        }
        if (!failed) {
          const scoring = score(c, result);
          if (scoring) await scoring;
        }
        finish(scope, result, start);
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, toRun) }, worker));
  if (unpriced !== undefined) {
    progress?.end({ done: ran, total: toRun, errors: errorCount, spentUsd: spent.usd });
    run?.logEvent("eval_finished", { ran, errors: errorCount, cost_usd: spent.usd, stopped: "unpriced", model: unpriced });
    throw new UserError(
      `maxCostUsd is set but the cost of a call to model "${unpriced}" is unknown (no price, or no token usage in the response), so the cap could never trip: add its price to "prices" in .scryptorum ({"${unpriced}": {"input": 0.15, "output": 0.6}}, USD per million tokens), or drop maxCostUsd`,
    );
  }

  // With trials > 1: per-case variance across trials, and the cases whose trials disagree.
  const flaky = trialRows ? flakiness(trialRows) : undefined;
  const scores: Record<string, Aggregate> = {};
  for (const name of names) {
    // The case is the unit: with trials > 1, each case's trials are averaged first (src/eval/stats.ts);
    // with one trial that is the aggregate of the values, which is all a streamed evaluation keeps.
    scores[name] = trialRows ? scorerAggregate(trialRows, name) : aggregate(values[name]!);
    const v = flaky?.scorers[name];
    if (v) Object.assign(scores[name]!, { case_variance: v.mean_case_variance, flaky: v.flaky });
    if (run && scores[name]!.n > 0) {
      const { mean, ...extra } = scores[name]!;
      run.logMetric(name, mean, "eval", extra);
    }
  }
  if (flaky && flaky.flaky.length) run?.logEvent("eval_flaky", { trials: flaky.trials, cases: flaky.flaky.length, flaky: flaky.flaky.slice(0, 1000) });
  const errors = errorCount;
  const cost = spent.usd;
  const remaining = toRun - ran;
  progress?.end({ done: ran, total: toRun, errors, spentUsd: cost });
  if (stopped) {
    run?.logEvent("eval_budget_reached", { max_cost_usd: maxCost, spent_usd: cost, remaining, partial: true });
    // Partial and resumable: tagged, and the way on said once.
    run?.addTags("partial");
    const how = run ? `scryptorum run ${run.experiment} … --resume ${run.id} --max-cost-usd <higher>` : "a higher maxCostUsd";
    process.stderr.write(`eval ${plan.name}: stopped at the budget ($${cost.toFixed(4)} of $${maxCost}); ${remaining} case${remaining === 1 ? "" : "s"} not run: resume with ${how}\n`);
  }
  const summary: EvaluateSummary = {
    dataset: { name: plan.name, hash: plan.hash, cases: count },
    trials,
    ran,
    skipped: skippedCount,
    errors,
    cost_usd: cost,
    rate_limit_retries: rateLimitRetries,
    scores,
  };
  if (flaky) summary.flaky = flaky.flaky;
  if (rateLimitRetries > 0) summary.rate_limit_retries_by_model = retriesBy;
  if (stopped) {
    summary.stopped = stopped;
    summary.remaining = remaining;
  }
  if (rateLimitRetries > 0) run?.logMetric("rate_limit_retries", rateLimitRetries, "count");
  run?.logEvent("eval_finished", {
    ran, errors, cost_usd: cost, rate_limit_retries: rateLimitRetries, ...(rateLimitRetries > 0 ? { rate_limit_retries_by_model: retriesBy } : {}), ...(stopped ? { stopped } : {}),
  });
  if (keep) return { results: [...before, ...results], summary };
  // Streamed: the results are in run.jsonl, read back the first time they are asked for.
  run!.flush();
  const endOffset = statSync(run!.logFile).size;
  const withPrevious = opts.resume !== false;
  let read: CaseResultRecord[] | undefined;
  const out = { summary } as { results: CaseResultRecord[]; summary: EvaluateSummary };
  Object.defineProperty(out, "results", { enumerable: true, configurable: true, get: () => (read ??= readBackResults(run!.logFile, startOffset, endOffset, plan.ids!, withPrevious ? trials : 0, evalIndex)) });
  return out;
}
