#!/usr/bin/env bun
/**
 * The CLI entry. Runs the root command with scryptorum's own error handling and sets the
 * exit code, here and nowhere else: 0 success; 1 the experiment failed (or a bug); 2 a
 * usage or input error. SIGINT/SIGTERM during a run exit 130/143 (`exitCodeFor` in src/core/errors.ts).
 */
import { main } from "./index";
import { dispatch } from "../src/cli/dispatch";
import { splitAtDashDash, wantsDebug, wantsJson } from "../src/cli/argv";
import { Interrupted, isUserError } from "../src/core/errors";
import { describeThrown } from "../src/cli/errors";
import { drainOutput, errLine } from "../src/cli/output";

const rawArgs = process.argv.slice(2);
const debug = wantsDebug(splitAtDashDash(rawArgs).own);
const json = wantsJson(splitAtDashDash(rawArgs).own);

/** Prints an error as one or two plain lines (a stack only with --debug) and returns the exit code. */
function report(error: unknown): number {
  const e = error as Error & { exitCode?: number; runFile?: string; code?: string };
  // Under --json, one JSON line on stderr: {"error": {"message", "code"}} (code: the exit code).
  if (json) return reportJson(e, plain(error));
  const write = errLine;
  const stack = (err: unknown) => {
    if (debug && err instanceof Error && err.stack) write(err.stack);
  };
  if (isUserError(error) || e?.name === "CLIError") {
    // citty's CLIError: a missing or bad argument.
    write(`error: ${e.message.replace(/\x1b\[[0-9;]*m/g, "")}`);
    stack(error);
    return 2;
  }
  if (e?.name === "ExperimentFailed") {
    write(`error: ${e.message}`);
    write(debug ? `  the run is marked failed in ${e.runFile}` : `  the run is marked failed; the stack is in ${e.runFile} (or rerun with --debug)`);
    stack(e.cause);
    return 1;
  }
  if (error instanceof Interrupted && error.quiet) return error.exitCode;
  if (typeof e?.exitCode === "number") {
    // An expected outcome with its own code (a failed `check` gate, say): its message says it all.
    write(`error: ${e.message}`);
    stack(error);
    return e.exitCode;
  }
  write(`error: ${describeThrown(error)}`);
  if (debug) stack(error);
  else write("  rerun with --debug for the stack");
  return 1;
}

/** The exit code `report` gives an error, without printing it. */
function plain(error: unknown): number {
  const e = error as Error & { exitCode?: number };
  if (isUserError(error) || e?.name === "CLIError") return 2;
  if (e?.name === "ExperimentFailed") return 1;
  return typeof e?.exitCode === "number" ? e.exitCode : 1;
}

function reportJson(e: Error & { runFile?: string }, code: number): number {
  const message = e instanceof Error ? (e.name === "ExperimentFailed" || isUserError(e) || e.name === "CLIError" || code !== 1 ? e.message : describeThrown(e)) : describeThrown(e);
  const body: Record<string, unknown> = { message: message.replace(/\x1b\[[0-9;]*m/g, ""), code };
  if (e?.runFile) body.run_file = e.runFile;
  if (debug && e instanceof Error && e.stack) body.stack = e.stack;
  errLine(JSON.stringify({ error: body }));
  return code;
}

/** Exits once our output has drained. Exiting explicitly also ends a run whose user code left timers or sockets open. */
function exit(code: number): void {
  void drainOutput().then(() => process.exit(code));
}

dispatch(main, rawArgs).then(
  () => exit(0),
  (error) => exit(report(error)),
);
