/** How the CLI shows what was thrown: Bun's load errors made plain, any value as "Name: message". The error classes are in src/core/errors.ts. */

type BunMessage = Error & { position?: { file?: string; line?: number; column?: number; lineText?: string } | null };

const isBunMessage = (e: unknown): e is BunMessage =>
  !!e && typeof e === "object" && "message" in e && ((e as Error).name === "BuildMessage" || (e as Error).name === "ResolveMessage");

const where = (e: BunMessage) => (e.position?.file ? `${e.position.file}:${e.position.line ?? 0}:${e.position.column ?? 0}: ` : "");

/**
 * Bun reports a file that does not compile or an import that does not resolve as a
 * BuildMessage / ResolveMessage, several of them as an AggregateError ("2 errors building
 * …"); turn them into a plain error whose message says where (the first, "(and N more)")
 * and whose stack lists every one with its line of code.
 */
export function normalizeLoadError(error: unknown): unknown {
  const all = isBunMessage(error) ? [error] : (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(all) || all.length === 0 || !all.every(isBunMessage)) return error;
  const first = all[0]!;
  const more = all.length > 1 ? ` (and ${all.length - 1} more)` : "";
  const plain = new Error(`${where(first)}${first.message}${more}`, { cause: error });
  plain.name = first.name === "BuildMessage" ? "CompileError" : "ResolveError";
  const lines = all.flatMap((e) => [`    ${where(e)}${e.message}`, ...(e.position?.lineText ? [`        ${e.position.lineText.trim()}`] : [])]);
  plain.stack = [`${plain.name}: ${plain.message}`, ...lines].join("\n");
  return plain;
}

/** "Name: message" of any thrown value. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
