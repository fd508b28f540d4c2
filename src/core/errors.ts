/**
 * An error caused by the user's input: the CLI prints its message without a stack and
 * exits with code 2. The message says what is wrong and what to do.
 *
 * @example
 * throw new UserError('experiment name "a/b" is not valid: use letters, digits, ".", "_" or "-"');
 */
export class UserError extends Error {
  override name = "UserError";
  /** Exit code the CLI uses for this error. */
  exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True for errors the user caused (bad names, missing files, no project). */
export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && (error as { name?: string }).name === "UserError";
}

/**
 * A resumed evaluation no longer matches its run (src/eval/fingerprint.ts lists the
 * `changes`): the CLI puts the run back as it was and exits 2. `resumeRefused` lets the CLI
 * know it when a user's own copy of the library threw it.
 */
export class ResumeRefused extends UserError {
  readonly resumeRefused = true;
  constructor(readonly runId: string, readonly changes: string[]) {
    super(`cannot resume run "${runId}": ${changes.join("; ")} since it began: its results would mix two evaluations. Start a new run, or pass --force (evaluate({ resume: { force: true } })) to resume anyway`);
  }
}

/** The signals a run or the viewer handles. */
export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * The exit code for a process ended by a signal: 128 + the signal's number, as shells
 * report it (130 for SIGINT, 143 for SIGTERM). The one place these numbers are computed.
 *
 * @example
 * exitCodeFor("SIGINT"); // 130
 */
export function exitCodeFor(signal: StopSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}

/** The signal an exit code of 130/143 stands for, if any. */
export function signalForExitCode(code: number | undefined): StopSignal | undefined {
  return code === 130 ? "SIGINT" : code === 143 ? "SIGTERM" : undefined;
}

/**
 * The process was stopped by a signal: the CLI entry exits with `exitCodeFor(signal)`.
 * With `quiet`, nothing is printed (the viewer stopping on Ctrl-C is no error).
 */
export class Interrupted extends Error {
  override name = "Interrupted";
  readonly exitCode: number;
  readonly signal: StopSignal;
  readonly quiet: boolean;
  constructor(message: string, signal: StopSignal, options?: { quiet?: boolean }) {
    super(message);
    this.signal = signal;
    this.exitCode = exitCodeFor(signal);
    this.quiet = options?.quiet ?? false;
  }
}

/**
 * The user's experiment failed (its code threw, did not compile, or exported nothing
 * runnable). The run is already marked `failed`; the CLI exits 1.
 */
export class ExperimentFailed extends Error {
  override name = "ExperimentFailed";
  exitCode = 1;
  /** run.json of the failed run. */
  readonly runFile: string;
  constructor(message: string, runFile: string, options: { cause: unknown }) {
    super(message, options);
    this.runFile = runFile;
  }
}

// Failures of a command whose input was fine: the CLI entry prints the message and exits
// with `exitCode`. Thrown by the module named on each; kept here so every exit code the CLI
// can give has its class in this one file.

/** The remote refused a request or could not be reached (src/remote): the CLI exits 1. */
export class RemoteFailed extends Error {
  override name = "RemoteFailed";
  exitCode = 1;
}

/** The collector refused the spans or could not be reached (src/otel/send.ts): the CLI exits 1. */
export class ExportFailed extends Error {
  override name = "ExportFailed";
  exitCode = 1;
}

/** A release host that failed or refused, or a download that did not verify (src/upgrade): exit 1. */
export class UpgradeError extends Error {
  override name = "UpgradeError";
  exitCode = 1;
}

/** What `CheckFailed` says of a check's result (src/read/check.ts `CheckResult` has it). */
export interface CheckOutcome {
  run_id: string;
  failed: number;
  results: readonly unknown[];
}

/**
 * Thrown by `check` when a rule fails: the CLI exits 1 (not 2: the input was fine, the run
 * was not). The rules' verdicts are already printed.
 */
export class CheckFailed<R extends CheckOutcome = CheckOutcome> extends Error {
  override name = "CheckFailed";
  exitCode = 1;
  constructor(readonly result: R) {
    super(`${result.failed} of ${result.results.length} rule${result.results.length === 1 ? "" : "s"} failed for run ${result.run_id}`);
  }
}
