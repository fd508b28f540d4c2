/**
 * Where the CLI writes data: stdout. Colour only on a terminal and never with NO_COLOR.
 * Logs go to stderr through `./log` (consola), kept apart so `--help` need not load it.
 */

/** True when `stream` may carry ANSI colours: a TTY, and NO_COLOR unset (any value turns colour off). */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return !!stream.isTTY && process.env.TERM !== "dumb";
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Removes ANSI colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const pending = new Set<Promise<void>>();

/** Writes and remembers the write until it is flushed (Bun's `writableLength` stays 0 while a pipe is full). */
function tracked(stream: NodeJS.WriteStream, text: string): void {
  const done = new Promise<void>((resolve) => stream.write(text, () => resolve()));
  pending.add(done);
  void done.then(() => pending.delete(done));
}

/** Writes data (one line or more) to stdout. */
export function out(text = ""): void {
  tracked(process.stdout, text.endsWith("\n") ? text : `${text}\n`);
}

/** Writes a line to stderr (errors; logs go through consola, `./log`). */
export function errLine(text: string): void {
  tracked(process.stderr, text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * Resolves once everything written through `out`/`errLine` has been flushed: call it before
 * `process.exit`, which otherwise drops what is still queued for a pipe (a large `--json`
 * cut at 64 KiB).
 */
export async function drainOutput(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/** Writes data as pretty JSON to stdout. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}
