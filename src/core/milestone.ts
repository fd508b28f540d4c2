/**
 * What a milestone run asks of the snapshot: core creates the run and its folders, the
 * snapshot (src/snapshot) fills code_snapshot/, config/, prompts/ and environment.json.
 * Core never imports the snapshot (it is the lower layer): the snapshot registers itself
 * here when it is loaded, which the library entry, the CLI and the tracking wrappers do.
 */

/** The snapshot's part of `Experiment.createRun("milestone")`. */
export interface MilestoneSnapshot {
  /** The largest file to copy, from `.scryptorum`'s `snapshot` (a bad value throws a UserError); read before any folder exists. */
  maxFileBytes(anchor: Record<string, unknown> | undefined): number | undefined;
  /** Fills the milestone folder `runDir` (already created, run.json written). */
  capture(opts: {
    runDir: string;
    projectRoot: string;
    experimentDir: string;
    /** The working directory: the source tree is the anchor's folder, else its git top level, else it. */
    cwd: string;
    anchorDir?: string;
    experimentsDir: string;
    version: string;
    maxFileBytes?: number;
  }): void;
}

// Per copy of the library (not in the shared runtime object): each copy's core uses the
// snapshot code it was shipped with.
let registered: MilestoneSnapshot | undefined;

/** Called once by src/snapshot when it loads. */
export function registerMilestoneSnapshot(impl: MilestoneSnapshot): void {
  registered = impl;
}

/**
 * The registered snapshot; an internal error when nothing loaded it (a caller that imports
 * src/core alone: import the library's entry, or src/snapshot, first).
 */
export function milestoneSnapshot(): MilestoneSnapshot {
  if (!registered) throw new Error("milestone runs need the snapshot module: import scryptorum's entry (src/index.ts) or src/snapshot before creating one");
  return registered;
}
