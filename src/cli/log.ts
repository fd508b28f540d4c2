/**
 * Logs and progress, on stderr: consola, sent to stderr as changelogen does.
 */
import { createConsola } from "consola";
import { colorEnabled } from "./output";

/** Logs and progress, on stderr. */
export const logger = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  // The same output everywhere: consola would otherwise go quiet under NODE_ENV=test and change format in CI.
  level: 3,
  // Typed only in consola's node build; TypeScript here resolves its browser types.
  ...({ fancy: true } as object),
  formatOptions: { colors: colorEnabled(process.stderr), date: false },
});
