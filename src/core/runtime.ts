/**
 * All mutable runtime state in one object under `Symbol.for("scryptorum.runtime")` on
 * globalThis, so two copies of the library in one process (the CLI's and a user's own
 * install) still share the current run, the default run type and the plugins.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { StopSignal } from "./errors";

/**
 * What the runtime (and the exit handlers) need of a run: core/run.ts's `Run` has it. Runs
 * are kept as handles here, not as `Run`, because the runtime is shared by every copy of the
 * library in the process (a run may be another copy's), and so this module imports nothing
 * back from run.ts. `Runtime<Run>` (exported by run.ts as `runtime`) is the typed view.
 */
export interface RunHandle {
  readonly id: string;
  flush(): void;
  finish(): void;
  fail(error: unknown): void;
  interrupt(signal?: string): void;
}

export interface Plugin<R extends RunHandle = RunHandle> {
  name: string;
  onRunStart?(run: R): unknown;
  /** Called for every record written to run.jsonl, metrics.jsonl or timings.jsonl. */
  onEvent?(record: Record<string, unknown>, run: R, kind: "event" | "metric" | "timing"): unknown;
  onRunFinish?(run: R): unknown;
}

export interface Context<R extends RunHandle = RunHandle> {
  run: R;
  spanId?: string;
}

/**
 * The hand-over from a host that runs the user's code in this process to the library that
 * code calls. The one host today is `scryptorum run` (`runExperiment` in src/cli/run.ts):
 * it sets `runtime.host` once the run is open, before the user's code is imported, and
 * clears it when the code has settled. Readers: the wrappers and Runner
 * (src/tracking/context.ts `hostRun`, experiment.ts, runnable.ts) join `run` instead of
 * opening their own, with `config` over their own config over `baseConfig`; the exit
 * handlers (core/lifecycle.ts) give the host's exit code (130/143) when the user's code
 * ends an interrupted host run with process.exit(0). In the shared runtime, so a user's
 * own copy of the library sees the CLI's run.
 */
export interface HostRun<Run extends RunHandle = RunHandle> {
  /** The open run: wrappers join it whatever their own options say. */
  readonly run: Run;
  /** Config the host was given (`--config`): wins over a wrapper's own config. */
  readonly config: Record<string, unknown>;
  /** The experiment's `config/config.json` (`{}` when missing): the base below a wrapper's own config. */
  readonly baseConfig: Record<string, unknown>;
  /**
   * Told of every experiment() the user's code defines and calls, so the host can call one
   * that was only defined (`scryptorum run --script`); set while a script runs.
   */
  experiments?: ExperimentWatch;
}

/** What {@link HostRun.experiments} is told: the experiment functions defined and called, with what a call returned. */
export interface ExperimentWatch {
  defined(fn: Function): void;
  called(fn: Function, result: unknown): void;
}

export interface Runtime<Run extends RunHandle = RunHandle> {
  version: 1;
  als: AsyncLocalStorage<Context<Run>>;
  /** The run a host opened for the user's code in this process (`scryptorum run`): see {@link HostRun}. */
  host?: HostRun<Run>;
  /** Run attached from SCRYPTORUM_RUN_DIR, opened lazily on first use. */
  envRun?: Run | null;
  defaultRunType?: "trial" | "milestone";
  plugins: Plugin<Run>[];
  failedPlugins: Set<string>;
  /** Promises returned by plugin hooks that have not settled yet. */
  pluginWork: Set<Promise<unknown>>;
  /** Runs this process owns and must mark on exit, SIGINT, SIGTERM or a crash. */
  ownedRuns: Set<Run>;
  /** Runs this process attached to (openRun, SCRYPTORUM_RUN_DIR): flushed, never marked. */
  attachedRuns: Set<Run>;
  handlersInstalled: boolean;
  /**
   * Every process listener scryptorum installs (core/lifecycle.ts `listen`): the exit
   * handlers, the CLI's watch on the user's code. Shared, so whichever copy of the library
   * asks, the listeners left over are the user's code's own (`userListeners`).
   */
  ownListeners: Set<Function>;
  /** The signal this process received while a run was open (the exit handlers mark runs interrupted by it). */
  signalled?: StopSignal;
  /** The first uncaught error or rejection another listener took (the user's, the CLI's watch): a run still open at a failing exit is failed with it. */
  failure?: { error: unknown };
  /** Tokens of the trial locks this process (this thread) holds. */
  trialTokens: Set<string>;
}

const KEY = Symbol.for("scryptorum.runtime");

function createRuntime(): Runtime {
  return {
    version: 1,
    als: new AsyncLocalStorage<Context>(),
    plugins: [],
    failedPlugins: new Set(),
    pluginWork: new Set(),
    ownedRuns: new Set(),
    attachedRuns: new Set(),
    handlersInstalled: false,
    ownListeners: new Set(),
    trialTokens: new Set(),
  };
}

/** The process-wide runtime object, created on first use. */
export const runtime: Runtime = ((globalThis as Record<symbol, unknown>)[KEY] ??= createRuntime()) as Runtime;
// Made by a copy of the library from before the field existed.
runtime.ownListeners ??= new Set();

// Per copy of the library, not in the shared runtime: ids stay unique because each copy
// draws its own random prefix, and a module-level counter is cheaper on the hot path.
export const SPAN_PREFIX = `${Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0")}-`;
let spanCounter = 0;

/** A new span id, unique across processes and library copies (random prefix and a counter). */
export function newSpanId(): string {
  return SPAN_PREFIX + ++spanCounter;
}

/** The counter part of a new span id (`SPAN_PREFIX + n` is the id): no string built. */
export function nextSpanNumber(): number {
  return ++spanCounter;
}

/**
 * A wrapper's span as the current context. Its id is `SPAN_PREFIX + n`, built only when
 * something asks for it (a child that logs it as its parent): the wrapper's own timing line
 * writes the digits straight into the file's buffer (spanline.ts).
 */
export class SpanContext<R extends RunHandle = RunHandle> implements Context<R> {
  private id: string | undefined = undefined;
  constructor(
    readonly run: R,
    readonly n: number,
  ) {}
  get spanId(): string {
    return (this.id ??= SPAN_PREFIX + this.n);
  }
}

/** The span of the current async context, if any. */
export function currentSpanId(): string | undefined {
  return runtime.als.getStore()?.spanId;
}
