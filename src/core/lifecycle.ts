/**
 * Marking owned runs when the process ends: SIGINT (interrupted, exit 130), SIGTERM
 * (interrupted, exit 143), an uncaught error or unhandled rejection (failed), and a plain
 * exit with a run still open (finished on code 0, failed otherwise, as MLflow's atexit
 * does). All synchronous: the process may be gone a moment later.
 */
import { runtime } from "./runtime";

function markAll(action: (run: import("./run").Run) => void) {
  for (const run of [...runtime.ownedRuns]) {
    try {
      action(run);
    } catch (error) {
      process.stderr.write(`scryptorum: could not mark run ${run.id}: ${(error as Error).message}\n`);
    }
  }
}

let signalled = false;

function onSignal(signal: "SIGINT" | "SIGTERM") {
  const code = signal === "SIGINT" ? 130 : 143;
  if (signalled) process.exit(code); // a second signal ends the process at once
  signalled = true;
  markAll((run) => run.interrupt(signal));
  process.exit(code);
}

/** Installs the process handlers once per process (shared across library copies). */
export function installExitHandlers(): void {
  if (runtime.handlersInstalled) return;
  runtime.handlersInstalled = true;
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // The monitor sees the error before the default handling, which then goes on as usual.
  process.on("uncaughtExceptionMonitor", (error) => markAll((run) => run.fail(error)));
  // Rejections: marked here; with no other listener, rethrown so the process ends as it
  // would have without us (an uncaught error, exit 1).
  process.on("unhandledRejection", (reason) => {
    markAll((run) => run.fail(reason));
    if (process.listenerCount("unhandledRejection") === 1) throw reason;
  });
  process.on("exit", (code) => {
    markAll((run) => (code === 0 ? run.finish() : run.fail(new Error(`process exited with code ${code} before the run finished`))));
  });
}
