/**
 * The evaluation case the current code runs for, shared through the runtime object so two
 * copies of the library agree: its trial (the response cache keys on it), the cost and
 * rate-limit retries of its LLM calls, and the prompt versions rendered for it, which each
 * `llm_call` logged inside the case carries as `prompts: [{ name, version }]`.
 *
 * Outside a case, a render is remembered until the next `llm_call` takes it, so the
 * sequential `render → call` of a plain script is attributed too.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { runtime } from "./runtime";

export interface CaseScope {
  caseId: string;
  trial: number;
  /** Cost of the LLM calls logged inside the case. */
  cost: number;
  /** 429/overloaded answers retried by the rate limiter inside the case. */
  retries: number;
  /** The same, by limiter: `provider/model` -> retries. */
  retriesBy?: Record<string, number>;
  /** Prompt name -> version rendered inside the case (latest render wins). */
  prompts?: Record<string, string>;
  /** evaluate() has a budget: an LLM call of unknown cost must stop it. */
  capped?: boolean;
  /** The model of the first call in the case whose cost is unknown (set only when capped). */
  unpriced?: string;
  /** What the case's evaluation has spent so far, shared by its cases (the budget's counter). */
  spent?: Spend;
}

/** An evaluation's spend; an evaluation run inside another's case adds to its `parent` too. */
export interface Spend {
  usd: number;
  parent?: Spend;
}

export interface PromptRef {
  name: string;
  version: string;
}

interface ScopeState {
  als: AsyncLocalStorage<CaseScope>;
  /** Renders outside any case, waiting for the next llm_call. */
  pending: Record<string, string> | undefined;
  /** Prompt versions already written to a run as `prompt_version` (per run object). */
  logged: WeakMap<object, Set<string>>;
}

const KEY = Symbol.for("scryptorum.caseScope");

function state(): ScopeState {
  const holder = runtime as unknown as Record<symbol, ScopeState | undefined>;
  return (holder[KEY] ??= { als: new AsyncLocalStorage<CaseScope>(), pending: undefined, logged: new WeakMap() });
}

/** Runs `fn(...args)` inside a case scope. */
export function runInCase<T, A extends unknown[]>(scope: CaseScope, fn: (...args: A) => T, ...args: A): T {
  return state().als.run(scope, fn, ...args);
}

/** The case the calling code runs for, if any. */
export function currentCase(): CaseScope | undefined {
  return state().als.getStore();
}

/**
 * Charges an `llm_call` record just logged to the case it was made for (Run calls it for
 * each one): its cost to the case and to its evaluation's spend (and the spend of an
 * evaluation that one runs inside); inside a case with a budget, a call of unknown cost (an
 * unpriced model) is noted, since the budget could never trip.
 */
export function chargeCase(record: Record<string, unknown>): void {
  const scope = state().als.getStore();
  if (!scope) return;
  const cost = record.cost_usd;
  if (typeof cost !== "number") {
    if (scope.capped && scope.unpriced === undefined && !record.error) scope.unpriced = String(record.model ?? "unknown");
    return;
  }
  scope.cost += cost;
  for (let s = scope.spent; s; s = s.parent) s.usd += cost;
}

/** Notes that prompt `name` at `version` was rendered (for the next llm_call's `prompts`). */
export function notePromptRender(name: string, version: string): void {
  const s = state();
  const scope = s.als.getStore();
  if (scope) (scope.prompts ??= {})[name] = version;
  else (s.pending ??= {})[name] = version;
}

/**
 * The prompts an llm_call being logged now carries: its case's renders, else the renders
 * outside any case since the previous call (which this call takes).
 */
export function promptsForCall(): PromptRef[] | undefined {
  const s = state();
  const scope = s.als.getStore();
  let map: Record<string, string> | undefined;
  if (scope) map = scope.prompts;
  else {
    map = s.pending;
    s.pending = undefined;
  }
  if (!map) return undefined;
  return Object.keys(map).map((name) => ({ name, version: map[name]! }));
}

/** True the first time `name@version` is seen for `run` in this process. */
export function firstRenderIn(run: object, name: string, version: string): boolean {
  const logged = state().logged;
  let set = logged.get(run);
  if (!set) logged.set(run, (set = new Set()));
  const key = `${name}@${version}`;
  if (set.has(key)) return false;
  set.add(key);
  return true;
}
