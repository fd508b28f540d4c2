/**
 * Prompt versions as runs recorded them: each `prompt_version` event (name, version, text,
 * written the first time a version is rendered in a run) and the `prompts` field of each
 * `llm_call` and `case_result`. `scryptorum prompts` lists the versions across an
 * experiment's runs; `diff` shows which version each of two runs used, and the text change.
 */
import { readJsonl, type ReadOptions } from "../core/jsonl";
import { EventType } from "../core/records";
import { runFiles } from "../core/layout";
import { unifiedDiff } from "./diff";

/** One prompt version as one run used it. */
export interface RunPromptUse {
  name: string;
  version: string;
  text?: string;
  file?: string;
  /** First render in the run. */
  first_seen?: string;
  llm_calls: number;
  cases: number;
}

/**
 * The prompt versions a run rendered, by `name@version`.
 *
 * @example
 * readRunPrompts(run.dir).get("ask@3f2a9c1b0d4e"); // { name: "ask", version: "3f2a9c1b0d4e", text: "…", llm_calls: 200, cases: 200 }
 */
export function readRunPrompts(dir: string, opts: ReadOptions = {}): Map<string, RunPromptUse> {
  const uses = new Map<string, RunPromptUse>();
  const use = (name: unknown, version: unknown): RunPromptUse | undefined => {
    if (typeof name !== "string" || typeof version !== "string") return undefined;
    const key = `${name}@${version}`;
    let u = uses.get(key);
    if (!u) uses.set(key, (u = { name, version, llm_calls: 0, cases: 0 }));
    return u;
  };
  readJsonl(
    runFiles(dir).events,
    (r) => {
      switch (r.event_type) {
        case "prompt_version": {
          const u = use(r.name, r.version);
          if (!u) return;
          if (typeof r.text === "string" && u.text === undefined) u.text = r.text;
          if (typeof r.file === "string" && u.file === undefined) u.file = r.file;
          if (typeof r.timestamp === "string" && u.first_seen === undefined) u.first_seen = r.timestamp;
          return;
        }
        case EventType.LLM_CALL:
          if (!Array.isArray(r.prompts)) return;
          for (const p of r.prompts as ({ name?: unknown; version?: unknown } | null)[]) {
            const u = use(p?.name, p?.version);
            if (u) u.llm_calls++;
          }
          return;
        case EventType.CASE_RESULT:
          if (!r.prompts || typeof r.prompts !== "object") return;
          for (const [name, version] of Object.entries(r.prompts as Record<string, unknown>)) {
            const u = use(name, version);
            if (u) u.cases++;
          }
          return;
      }
    },
    opts,
  );
  return uses;
}

export interface PromptVersionEntry {
  version: string;
  file?: string;
  text?: string;
  first_seen?: string;
  runs: { run_id: string; run_type: string; started_at: string; llm_calls: number; cases: number }[];
}

export interface PromptEntry {
  name: string;
  versions: PromptVersionEntry[];
}

/**
 * Every prompt version the runs used, oldest version first, each with the runs that used it.
 *
 * @example
 * listPromptVersions([{ run_id: "a", run_type: "milestone", started_at: "…", dir: "…/runs/a" }]);
 * // [{ name: "ask", versions: [{ version: "3f2a9c1b0d4e", runs: [{ run_id: "a", llm_calls: 200, … }] }] }]
 */
export function listPromptVersions(runs: readonly { run_id: string; run_type: string; started_at: string; dir: string }[], opts: ReadOptions = {}): PromptEntry[] {
  const byName = new Map<string, Map<string, PromptVersionEntry>>();
  for (const run of runs) {
    for (const u of readRunPrompts(run.dir, opts).values()) {
      let versions = byName.get(u.name);
      if (!versions) byName.set(u.name, (versions = new Map()));
      let v = versions.get(u.version);
      if (!v) versions.set(u.version, (v = { version: u.version, runs: [] }));
      v.text ??= u.text;
      v.file ??= u.file;
      const seen = u.first_seen ?? run.started_at;
      if (v.first_seen === undefined || seen < v.first_seen) v.first_seen = seen;
      v.runs.push({ run_id: run.run_id, run_type: run.run_type, started_at: run.started_at, llm_calls: u.llm_calls, cases: u.cases });
    }
  }
  return [...byName.keys()].sort().map((name) => ({
    name,
    versions: [...byName.get(name)!.values()].sort((a, b) => (a.first_seen ?? "").localeCompare(b.first_seen ?? "")),
  }));
}

/** How one prompt's versions differ between two runs. */
export interface PromptChange {
  name: string;
  /** Versions run a used (usually one). */
  a: string[];
  b: string[];
  status: "same" | "changed" | "added" | "removed";
  /** Unified diff of the texts when each run used one version and both texts are known. */
  diff: string | null;
}

/**
 * Which prompt versions runs a and b used, per prompt name.
 *
 * @example
 * diffPromptVersions(runA.dir, runB.dir, "good", "worse");
 * // [{ name: "ask", a: ["3f2a9c1b0d4e"], b: ["a81b07c2d9e0"], status: "changed", diff: "--- a/good/ask@3f2a9c1b0d4e\n…" }]
 */
export function diffPromptVersions(dirA: string, dirB: string, idA: string, idB: string, opts: ReadOptions = {}): PromptChange[] {
  const ua = [...readRunPrompts(dirA, opts).values()];
  const ub = [...readRunPrompts(dirB, opts).values()];
  const names = [...new Set([...ua, ...ub].map((u) => u.name))].sort();
  return names.map((name) => {
    const va = ua.filter((u) => u.name === name);
    const vb = ub.filter((u) => u.name === name);
    const a = va.map((u) => u.version).sort();
    const b = vb.map((u) => u.version).sort();
    const status: PromptChange["status"] = a.length === 0 ? "added" : b.length === 0 ? "removed" : a.join() === b.join() ? "same" : "changed";
    let diff: string | null = null;
    if (status === "changed" && va.length === 1 && vb.length === 1 && va[0]!.text !== undefined && vb[0]!.text !== undefined) {
      diff = unifiedDiff(va[0]!.text, vb[0]!.text, { from: `a/${idA}/${name}@${va[0]!.version}`, to: `b/${idB}/${name}@${vb[0]!.version}` });
    }
    return { name, a, b, status, diff };
  });
}
