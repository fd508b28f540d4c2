/**
 * Where the CLI writes data: stdout. Colour only on a terminal and never with NO_COLOR.
 * Logs go to stderr through `./log` (consola), kept apart so `--help` need not load it.
 */
import { Console } from "node:console";
import { writeSync } from "node:fs";

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

// The console methods that print to stdout; the others (error, warn, trace, assert) already use stderr.
const STDOUT_METHODS = ["log", "info", "debug", "dir", "dirxml", "table", "count", "countReset", "group", "groupCollapsed", "groupEnd", "time", "timeEnd", "timeLog"] as const;

/**
 * Sends what the user's code prints to stdout (`process.stdout.write`, `console.log` and
 * its kin) to stderr until the returned function is called, so `run --json` prints nothing
 * but its JSON on stdout. Writes straight to file descriptor 1 still reach stdout.
 *
 * @example
 * const restore = stdoutToStderr();
 * try { await userCode(); } finally { restore(); }
 * outJson(summary);
 */
export function stdoutToStderr(): () => void {
  const write = process.stdout.write;
  const global = console as unknown as Record<string, unknown>;
  const saved = STDOUT_METHODS.map((name) => [name, global[name]] as const);
  // Bun's console writes to fd 1 natively, not through process.stdout: a console of our own.
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr }) as unknown as Record<string, Function>;
  process.stdout.write = ((...args: Parameters<typeof write>) => process.stderr.write(...(args as [string]))) as typeof write;
  for (const name of STDOUT_METHODS) global[name] = toStderr[name]!.bind(toStderr);
  return () => {
    process.stdout.write = write;
    for (const [name, fn] of saved) global[name] = fn;
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to a file descriptor synchronously (for exit paths, where nothing
 * asynchronous runs any more): loops on partial writes and waits out EAGAIN on a pipe.
 */
export function writeAllSync(fd: number, text: string): void {
  const data = Buffer.from(text);
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
