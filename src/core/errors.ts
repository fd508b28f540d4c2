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
