import { UserError } from "./errors";

/** The contract's pattern for experiment, project and run names. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Names that pass the pattern but would still be dangerous as keys or folders. */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Checks a project, experiment or run name and returns it. Anything outside the pattern
 * (separators, `..`, NUL, percent-encoding, over 128 characters) is refused with an error
 * that names the field.
 *
 * @example
 * validateName("sentiment_v2", "experiment name"); // "sentiment_v2"
 * validateName("../x", "run id");                  // throws UserError
 */
export function validateName(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new UserError(`${field} is missing: give a name like "my_experiment"`);
  }
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (!NAME_PATTERN.test(value) || value.includes("..") || RESERVED.has(value)) {
    const why = value.length > 128
      ? "it is longer than 128 characters"
      : "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, and no '..'";
    throw new UserError(`${field} ${shown} is not valid: ${why}`);
  }
  return value;
}

/** Run id of the single, reused trial run folder. */
export const TRIAL_RUN_ID = "trial_run";

/**
 * Checks a milestone run id given by the user: the name pattern, and not `trial_run`.
 *
 * @example
 * validateRunId("v1"); // "v1"
 */
export function validateRunId(value: unknown, field = "run id"): string {
  const id = validateName(value, field);
  if (id === TRIAL_RUN_ID) {
    throw new UserError(`${field} "trial_run" is reserved for trial runs: choose another id`);
  }
  return id;
}
