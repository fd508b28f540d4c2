/**
 * Marking runs when the process ends. Runs this process owns are marked: SIGINT
 * (interrupted, exit 130), SIGTERM (interrupted, exit 143), an uncaught error or unhandled
 * rejection (failed), and a plain exit with a run still open (finished on code 0, failed
 * otherwise, as MLflow's atexit does). Runs it only attached to are flushed. All
 * synchronous: the process may be gone a moment later.
 *
 * Where the user's code (or a library such as signal-exit) listens too, we do not end the
 * process for it: a signal marks the runs interrupted at once and leaves the exit to that
 * code; an error it handles only flushes, and the runs are marked when the process ends.
 */
import { flushAllWriters } from "./jsonl";
import { runtime } from "./runtime";
import type { Run } from "./run";

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

let signalled: "SIGINT" | "SIGTERM" | undefined;
let failure: { error: unknown } | undefined;

function onSignal(signal: "SIGINT" | "SIGTERM") {
  const code = signal === "SIGINT" ? 130 : 143;
  // A second signal ends the process at once, whoever else listens (Ctrl-C twice always works).
  if (signalled) {
    flushEverything();
    process.exit(code);
  }
  signalled = signal;
  each(runtime.ownedRuns, (run) => run.interrupt(signal));
  flushEverything();
  // Another listener (a graceful shutdown, signal-exit…) decides when the process ends.
  if (process.listenerCount(signal) > 1) return;
  process.exit(code);
}

/** Installs the process handlers once per process (shared across library copies). */
export function installExitHandlers(): void {
  if (runtime.handlersInstalled) return;
  runtime.handlersInstalled = true;
  // Prepended: a user's handler that calls process.exit() must not run before we mark.
  process.prependListener("SIGINT", () => onSignal("SIGINT"));
  process.prependListener("SIGTERM", () => onSignal("SIGTERM"));
  // The monitor sees the error before the default handling, which then goes on as usual.
  process.on("uncaughtExceptionMonitor", (error) => {
    if (process.listenerCount("uncaughtException") > 0) {
      // Someone handles it and the process may go on: mark at exit if it does not.
      failure ??= { error };
      flushEverything();
      return;
    }
    each(runtime.ownedRuns, (run) => run.fail(error));
    flushEverything();
  });
  // Rejections: with no other listener, marked here, and the process ends as it would have
  // without us: the error on stderr, exit 1.
  process.on("unhandledRejection", (reason) => {
    if (process.listenerCount("unhandledRejection") > 1) {
      failure ??= { error: reason };
      flushEverything();
      return;
    }
    each(runtime.ownedRuns, (run) => run.fail(reason));
    flushEverything();
    process.stderr.write(`${reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : `Unhandled rejection: ${String(reason)}`}\n`);
    process.exit(1);
  });
  process.on("exit", (code) => {
    const interruptedBy = signalled ?? (code === 130 ? "SIGINT" : code === 143 ? "SIGTERM" : undefined);
    each(runtime.ownedRuns, (run) => {
      if (interruptedBy) run.interrupt(interruptedBy);
      else if (code === 0) run.finish();
      else run.fail(failure?.error ?? new Error(`process exited with code ${code} before the run finished`));
    });
    flushEverything();
  });
}
