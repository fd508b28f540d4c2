/**
 * A command line run to its exit code: dispatch against the root command, and on error one
 * or two plain lines on stderr (a stack only with --debug) and the code: 0 success; 1 the
 * experiment failed (or a bug); 2 a usage or input error; an error's own `exitCode`
 * otherwise (130/143 for SIGINT/SIGTERM: `exitCodeFor` in src/core/errors.ts).
 * The binary's entry (commands/cli.ts) exits with it; tests call it in-process.
 */
import type { CommandDef } from "citty";
import { Interrupted, isUserError } from "../core/errors";
import { splitAtDashDash, wantsDebug, wantsJson } from "./argv";
import { dispatch } from "./dispatch";
import { describeThrown } from "./errors";
import { errLine } from "./output";

/**
 * Runs `rawArgs` (process.argv.slice(2)) against `root` and resolves to the exit code; never
 * rejects (errors are printed here). Does not exit: the caller drains output and exits.
 *
 * @example
 * process.exitCode = await runCli(main, process.argv.slice(2));
 */
export async function runCli(root: CommandDef<any>, rawArgs: readonly string[]): Promise<number> {
  try {
    await dispatch(root, rawArgs);
    return 0;
  } catch (error) {
    const { own } = splitAtDashDash(rawArgs);
    return report(error, { debug: wantsDebug(own), json: wantsJson(own) });
  }
}

interface Flags {
  debug: boolean;
  json: boolean;
}

/** Prints an error as one or two plain lines (a stack only with --debug) and returns the exit code. */
function report(error: unknown, { debug, json }: Flags): number {
  const e = error as Error & { exitCode?: number; runFile?: string; code?: string };
  // Under --json, one JSON line on stderr: {"error": {"message", "code"}} (code: the exit code).
  if (json) return reportJson(e, plain(error), debug);
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

function reportJson(e: Error & { runFile?: string }, code: number, debug: boolean): number {
  const message = e instanceof Error ? (e.name === "ExperimentFailed" || isUserError(e) || e.name === "CLIError" || code !== 1 ? e.message : describeThrown(e)) : describeThrown(e);
  const body: Record<string, unknown> = { message: message.replace(/\x1b\[[0-9;]*m/g, ""), code };
  if (e?.runFile) body.run_file = e.runFile;
  if (debug && e instanceof Error && e.stack) body.stack = e.stack;
  errLine(JSON.stringify({ error: body }));
  return code;
}
