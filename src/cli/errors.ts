/** Errors the CLI entry turns into exit codes. */

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

/**
 * Bun reports a file that does not compile or an import that does not resolve as a
 * BuildMessage / ResolveMessage; turn them into plain errors whose message says where.
 */
export function normalizeLoadError(error: unknown): unknown {
  if (!(error instanceof Error) && !(error && typeof error === "object" && "message" in error)) return error;
  const e = error as Error & { position?: { file?: string; line?: number; column?: number } | null };
  if (e.name !== "BuildMessage" && e.name !== "ResolveMessage") return error;
  const where = e.position?.file ? `${e.position.file}:${e.position.line ?? 0}:${e.position.column ?? 0}: ` : "";
  const plain = new Error(`${where}${e.message}`, { cause: error });
  plain.name = e.name === "BuildMessage" ? "CompileError" : "ResolveError";
  return plain;
}

/** "Name: message" of any thrown value. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
