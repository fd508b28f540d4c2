/** Runs for the client tests: a fresh project, a trial run, and its llm_call events. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Experiment } from "../../src/core/experiment";
import type { Run } from "../../src/core/run";
import { withRun } from "../../src/tracking/context";
import { readLines, tempProject } from "../helpers/project";

export interface TestRun {
  run: Run;
  root: string;
  /** Calls fn inside the run. */
  inside<T>(fn: () => Promise<T>): Promise<T>;
  /** The run's llm_call events so far. */
  calls(): Record<string, any>[];
  finish(): void;
}

export function testRun(root = tempProject().root, experiment = "clients"): TestRun {
  const run = new Experiment(root, experiment).createRun();
  return {
    run,
    root,
    inside: (fn) => withRun(run, fn),
    calls() {
      run.flush();
      return readLines(run.logFile).filter((r) => r.event_type === "llm_call");
    },
    finish: () => run.finish(),
  };
}

/** Run folders anywhere in the project: none should appear for calls made outside a run. */
export function runFolders(root: string): string[] {
  const base = join(root, "experiments");
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((e) => (existsSync(join(base, e, "runs")) ? readdirSync(join(base, e, "runs")) : []));
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
