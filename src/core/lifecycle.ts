/**
 * Marking runs when the process ends. Runs this process owns are marked: SIGINT
 * (interrupted, exit 130), SIGTERM (interrupted, exit 143), an uncaught error or unhandled
 * rejection (failed), and a plain exit with a run still open (finished on code 0, failed
 * otherwise, as MLflow's atexit does). Runs it only attached to are flushed. All
 * synchronous: the process may be gone a moment later.
 */
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

const flushAttached = () => each(runtime.attachedRuns, (run) => run.flush());

let signalled: "SIGINT" | "SIGTERM" | undefined;

function onSignal(signal: "SIGINT" | "SIGTERM") {
  const code = signal === "SIGINT" ? 130 : 143;
  flushAttached();
  if (process.listenerCount(signal) > 1) {
    // The user's code handles this signal (a graceful shutdown, say): the process does not
    // end here, so neither do we. Everything is on disk; the runs are marked interrupted
    // when the process does end.
    signalled ??= signal;
    each(runtime.ownedRuns, (run) => run.flush());
    return;
  }
  if (signalled) process.exit(code); // a second signal ends the process at once
  signalled = signal;
  each(runtime.ownedRuns, (run) => run.interrupt(signal));
  process.exit(code);
}

/** Installs the process handlers once per process (shared across library copies). */
export function installExitHandlers(): void {
  if (runtime.handlersInstalled) return;
  runtime.handlersInstalled = true;
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // The monitor sees the error before the default handling, which then goes on as usual.
  process.on("uncaughtExceptionMonitor", (error) => {
    flushAttached();
    each(runtime.ownedRuns, (run) => run.fail(error));
  });
  // Rejections: marked here. With no other listener, the process ends as it would have
  // without us: the error on stderr, exit 1.
  process.on("unhandledRejection", (reason) => {
    flushAttached();
    each(runtime.ownedRuns, (run) => run.fail(reason));
    if (process.listenerCount("unhandledRejection") === 1) {
      process.stderr.write(`${reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : `Unhandled rejection: ${String(reason)}`}\n`);
      process.exit(1);
    }
  });
  process.on("exit", (code) => {
    flushAttached();
    each(runtime.ownedRuns, (run) => {
      if (signalled) run.interrupt(signalled);
      else if (code === 0) run.finish();
      else run.fail(new Error(`process exited with code ${code} before the run finished`));
    });
  });
}
