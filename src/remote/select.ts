/**
 * Which local runs a push or pull is about, and a small promise pool.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { experimentFile, experimentsRoot, runsDir } from "../core/layout";
import { validateName } from "../core/validate";
import type { Project } from "../core/project";

export interface Selection {
  /** One experiment, or every one. */
  experiment?: string;
  /** Run ids; default: every milestone. */
  runs?: string[];
}

/** Called after each run: done so far, total, the run. */
export type Progress = (done: number, total: number, label: string) => void;

/** Parses `--runs a,b` (each a valid id); undefined when not given. */
export function parseRuns(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new UserError(`--runs is empty: write --runs <id>[,<id>…]`);
  return ids.map((id) => validateName(id, "--runs id"));
}

/** The local experiments: the one named (a UserError when missing), else every one. */
export function localExperiments(project: Project, experiment?: string): string[] {
  if (experiment) {
    validateName(experiment, "experiment name");
    if (!existsSync(experimentFile(project.root, experiment))) {
      throw new UserError(`experiment "${experiment}" does not exist in ${project.root}: see \`scryptorum list-experiments\``);
    }
    return [experiment];
  }
  const root = experimentsRoot(project.root);
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((e) => existsSync(experimentFile(project.root, e))).sort();
}

const runType = (dir: string): string | undefined => {
  try {
    return JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).run_type;
  } catch {
    return undefined;
  }
};

/**
 * The runs to push: with `runs`, exactly those (each must exist: a UserError naming the
 * first missing one); otherwise every milestone (trials are scratch and stay local).
 */
export function localRuns(project: Project, sel: Selection): { experiment: string; runId: string }[] {
  const out: { experiment: string; runId: string }[] = [];
  for (const experiment of localExperiments(project, sel.experiment)) {
    const dir = runsDir(project.root, experiment);
    const ids = existsSync(dir) ? readdirSync(dir).sort() : [];
    if (sel.runs) {
      for (const id of sel.runs) {
        if (!existsSync(join(dir, id, "run.json"))) {
          if (sel.experiment) throw new UserError(`run "${id}" does not exist in experiment "${experiment}": see \`scryptorum list-runs ${experiment}\``);
          continue;
        }
        out.push({ experiment, runId: id });
      }
    } else {
      for (const id of ids) if (runType(join(dir, id)) === "milestone") out.push({ experiment, runId: id });
    }
  }
  return out;
}

/**
 * Maps `items` through `fn`, at most `limit` at a time, keeping the order. After a failure
 * no new item starts, and the first error is thrown once the items already started have
 * ended: a caller that exits on it never cuts one of them off midway (a pulled run between
 * its two renames, or before its state is saved).
 */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.error;
  return out;
}

/** Runs `fn`s at most `n` at a time, in call order (a cap on requests across a push's or pull's runs). */
export function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < n) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // handed a slot
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
