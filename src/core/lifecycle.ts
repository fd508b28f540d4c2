/**
 * Marking runs when the process ends. Runs this process owns are marked: SIGINT
 * (interrupted, exit 130), SIGTERM (interrupted, exit 143), an uncaught error or unhandled
 * rejection (failed), and a plain exit with a run still open (finished on code 0, failed
 * otherwise, as MLflow's atexit does). Runs it only attached to are flushed. All
 * synchronous: the process may be gone a moment later.
 *
 * Where the user's code listens too, we do not end the process for it: a signal or an
 * error it handles only flushes, and the runs are marked (interrupted, or failed) when the
 * process ends. Our own listeners are kept in the shared runtime (`listen`), so that "the
 * user's code listens" is the listeners that are not ours (`userListeners`), whichever copy
 * of the library asks; signal-exit's listener does not count as the user's.
 */
import { exitCodeFor, signalForExitCode, type StopSignal } from "./errors";
import { flushAllWriters } from "./jsonl";
import { runtime } from "./runtime";
import type { RunHandle as Run } from "./runtime";

function each(runs: Set<Run>, action: (run: Run) => void) {
  for (const run of [...runs]) {
    try {
      action(run);
    } catch (error) {
      process.stderr.write(`scryptorum: could not save run ${run.id}: ${(error as Error).message}\n`);
    }
  }
}

function flushEverything() {
  each(runtime.attachedRuns, (run) => run.flush());
  each(runtime.ownedRuns, (run) => run.flush());
  flushAllWriters();
}

/** The signal this process received while a run was open, if any (the CLI exits 130/143 on it). */
export function receivedSignal(): StopSignal | undefined {
  return runtime.signalled;
}

// process as a plain emitter: its typed overloads take one event name at a time.
const events = process as unknown as NodeJS.EventEmitter;

type ProcessEvent = "SIGINT" | "SIGTERM" | "uncaughtException" | "uncaughtExceptionMonitor" | "unhandledRejection" | "beforeExit" | "exit";

/**
 * Adds a process listener of scryptorum's own (first with `prepend`): it is then never
 * counted as the user's code listening. Remove it with `unlisten`.
 *
 * @example
 * const onIdle = () => wake();
 * listen("beforeExit", onIdle);
 * // …
 * unlisten("beforeExit", onIdle);
 */
export function listen(event: ProcessEvent, listener: (...args: any[]) => void, opts: { prepend?: boolean } = {}): void {
  runtime.ownListeners.add(listener);
  if (opts.prepend) events.prependListener(event, listener);
  else events.on(event, listener);
}

/** Removes a listener added with `listen`. */
export function unlisten(event: ProcessEvent, listener: (...args: any[]) => void): void {
  events.off(event, listener);
  runtime.ownListeners.delete(listener);
}

/** The process listeners of `event` that are the user's code's: not ours, and, for a signal, not signal-exit's. */
export function userListeners(event: ProcessEvent): number {
  let n = 0;
  for (const l of events.listeners(event)) if (!runtime.ownListeners.has(l)) n++;
  return event === "SIGINT" || event === "SIGTERM" ? n - signalExitListeners() : n;
}

/**
 * signal-exit (used by execa, ora, write-file-atomic…) listens on every signal but ends
 * the process only when its listener is the only one: it must not count as code that will
 * end the process for us.
 */
function signalExitListeners(): number {
  const g = globalThis as Record<PropertyKey, unknown>;
  const v4 = g[Symbol.for("signal-exit emitter")];
  const v3 = (process as unknown as Record<string, unknown>).__signal_exit_emitter__;
  return (v4 ? 1 : 0) + (v3 ? 1 : 0);
}

function onSignal(signal: StopSignal) {
  const code = exitCodeFor(signal);
  // A second signal ends the process at once, whoever else listens (Ctrl-C twice always works).
  if (runtime.signalled) {
    flushEverything();
    process.exit(code);
  }
  runtime.signalled = signal;
  flushEverything();
  if (userListeners(signal) > 0) {
    // The user's code handles it (a graceful shutdown): it decides when the process ends.
    // The runs stay open (a trial keeps its lock) and are marked interrupted at exit.
    return;
  }
  each(runtime.ownedRuns, (run) => run.interrupt(signal));
  process.exit(code);
}

/** Installs the process handlers once per process (shared across library copies). */
export function installExitHandlers(): void {
  if (runtime.handlersInstalled) return;
  runtime.handlersInstalled = true;
  // Prepended: a user's handler that calls process.exit() must not run before we mark.
  listen("SIGINT", () => onSignal("SIGINT"), { prepend: true });
  listen("SIGTERM", () => onSignal("SIGTERM"), { prepend: true });
  // The monitor sees the error before the default handling, which then goes on as usual.
  listen("uncaughtExceptionMonitor", (error: unknown) => {
    // Any listener, the user's or the CLI's watch on the user's code, keeps the process
    // going: the run is marked by whoever handles it, or at exit.
    if (process.listenerCount("uncaughtException") > 0) {
      runtime.failure ??= { error };
      flushEverything();
      return;
    }
    each(runtime.ownedRuns, (run) => run.fail(error));
    flushEverything();
  });
  // Rejections: with no other listener, marked here, and the process ends as it would have
  // without us: the error on stderr, exit 1.
  const onRejection = (reason: unknown) => {
    // Another listener than this one (the user's, or the CLI's watch) handles it.
    if (process.listeners("unhandledRejection").some((l) => l !== onRejection)) {
      runtime.failure ??= { error: reason };
      flushEverything();
      return;
    }
    each(runtime.ownedRuns, (run) => run.fail(reason));
    flushEverything();
    process.stderr.write(`${reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : `Unhandled rejection: ${String(reason)}`}\n`);
    process.exit(1);
  };
  listen("unhandledRejection", onRejection);
  listen("exit", (code: number) => {
    const { signalled, failure } = runtime;
    const interruptedBy = signalled ?? signalForExitCode(code);
    // Under `scryptorum run`, the user's SIGINT handler ended with process.exit(0) while the
    // run was open: the run is interrupted, and the CLI's exit code says so (130/143). A
    // script of the user's own (no CLI) keeps the code it chose.
    if (signalled && code === 0 && runtime.host && runtime.ownedRuns.has(runtime.host.run)) process.exitCode = exitCodeFor(signalled);
    each(runtime.ownedRuns, (run) => {
      if (interruptedBy) run.interrupt(interruptedBy);
      else if (code === 0) run.finish();
      else run.fail(failure?.error ?? new Error(`process exited with code ${code} before the run finished`));
    });
    flushEverything();
  });
}
