/**
 * A run's artifacts: files under its `artifacts/` folder that a name can never lead out
 * of, each logged as an `artifact_saved` event. `Run.saveArtifact` and
 * `Run.preserveArtifacts` delegate here; the hot path never comes through.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "pathe";
import { UserError } from "./errors";
import { safeStringify } from "./serialize";
import { validateName } from "./validate";

/** What saving an artifact needs of a run: its folders and its event log. */
export interface ArtifactSink {
  readonly dir: string;
  readonly artifactsDir: string;
  logEvent(type: string, data?: Record<string, unknown>): void;
}

/**
 * Writes `artifacts/<name>` of the run; `name` may hold sub-folders but never leaves
 * `artifacts/`. Strings and bytes are written as they are, anything else as JSON.
 * Returns the path.
 *
 * @example
 * saveArtifact(run, "plots/loss.svg", svgText);
 */
export function saveArtifact(run: ArtifactSink, name: string, content: string | Uint8Array | unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 512) {
    throw new UserError(`artifact name ${JSON.stringify(name)} is not valid: give a relative file name`);
  }
  const parts = name.split("/");
  for (const part of parts) validateName(part, "artifact name");
  const path = resolve(run.artifactsDir, ...parts);
  if (relative(run.artifactsDir, path).startsWith("..")) {
    throw new UserError(`artifact name ${JSON.stringify(name)} would leave artifacts/: use a relative name`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const data = typeof content === "string" || content instanceof Uint8Array
    ? content
    : JSON.stringify(JSON.parse(safeStringify(content)), null, 2);
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new Error(`Failed to save artifact ${name}: ${(error as Error).message}`, { cause: error });
  }
  run.logEvent("artifact_saved", { name, path: relative(run.dir, path) });
  return path;
}

/**
 * Saves each value as `artifacts/<key>.json` of the run; returns the paths.
 *
 * @example
 * preserveArtifacts(run, { predictions, confusion_matrix: matrix });
 */
export function preserveArtifacts(run: ArtifactSink, artifacts: Record<string, unknown>): string[] {
  const written: string[] = [];
  for (const [key, value] of Object.entries(artifacts)) {
    validateName(key, "artifact name");
    written.push(saveArtifact(run, `${key}.json`, JSON.stringify(JSON.parse(safeStringify(value)), null, 2)));
  }
  return written;
}
