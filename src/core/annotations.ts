/**
 * What is said about a run after it started: its tags, its note, and the config a CLI run
 * is handed by the code it runs. They live in run.json: the process that owns the run
 * rewrites it whole (config redacted, runfile.ts `writeOwnedRunJson`); another process
 * adds its tags and note under the lock (`addToRunJson`) and never writes the rest.
 * `Run.addTags`, `setNote` and `setConfig` delegate here.
 */
import { addToRunJson, type RunMeta } from "./runfile";

/**
 * The annotations of one run, kept in its `meta` (the same object the run holds).
 *
 * @example
 * const notes = new Annotations(dir, meta, () => writeOwnedRunJson(dir, meta, redact));
 * notes.addTags(["baseline"]);
 */
export class Annotations {
  /**
   * @param writeOwned rewrites run.json whole: given for the owning process, absent for an
   *   attached one (which adds to run.json under the lock instead).
   */
  constructor(
    private readonly dir: string,
    private readonly meta: RunMeta,
    private readonly writeOwned: (() => void) | undefined,
  ) {}

  /** Adds tags (duplicates ignored). */
  addTags(tags: readonly unknown[]): void {
    for (const tag of tags.flat()) if (!this.meta.tags.includes(String(tag))) this.meta.tags.push(String(tag));
    this.save();
  }

  /** Sets the note. */
  setNote(text: unknown): void {
    this.meta.note = String(text);
    this.save();
  }

  /** Replaces the config (redacted on disk). */
  setConfig(config: Record<string, unknown>): void {
    this.meta.config = config ?? {};
    this.save();
  }

  private save(): void {
    if (this.writeOwned) this.writeOwned();
    else addToRunJson(this.dir, this.meta.tags, this.meta.note);
  }
}
