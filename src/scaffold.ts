/**
 * Writing scaffolding: the one place template files reach the disk. An existing file is
 * never overwritten unless `force`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "pathe";
import type { TemplateFile } from "../templates/index";

export interface ScaffoldResult {
  /** Absolute paths written. */
  written: string[];
  /** Absolute paths that existed and were left alone. */
  kept: string[];
}

/**
 * Writes each template under `baseDir`; keeps files that exist unless `force`.
 *
 * @example
 * writeTemplates(experimentDir, experimentTemplates("sentiment"));
 * // { written: [".../config/config.json", ".../prompts/system.md"], kept: [] }
 */
export function writeTemplates(baseDir: string, files: readonly TemplateFile[], opts: { force?: boolean } = {}): ScaffoldResult {
  const result: ScaffoldResult = { written: [], kept: [] };
  for (const file of files) {
    const path = join(baseDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    try {
      // "wx" creates exclusively: of two scaffolds racing, or a file that exists, nothing is clobbered.
      writeFileSync(path, file.contents, { flag: opts.force ? "w" : "wx" });
      result.written.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new Error(`Failed to write ${path}: ${(error as Error).message}`, { cause: error });
      }
      result.kept.push(path);
    }
  }
  return result;
}
