/**
 * What changed between two runs: run.json's config (key by key and as a text diff), the
 * prompt versions each rendered (with the text change), and for milestones the copied `config/` and `prompts/` files, the code snapshot (manifests
 * compared by sha256, changed text files diffed) and the dataset files their evaluations
 * loaded (`data/`, listed under `datasets` in the manifest).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "pathe";
import { runFiles } from "../core/layout";
import { readRunJson } from "../core/runfile";
import { unifiedDiff } from "./diff";
import { diffPromptVersions, type PromptChange } from "./prompts";

export type ChangeStatus = "added" | "removed" | "modified";

/** One changed file. `diff` is null for a binary file. */
export interface FileChange {
  section: "run_config" | "config" | "prompts" | "code" | "data";
  path: string;
  status: ChangeStatus;
  binary: boolean;
  diff: string | null;
  /** Why there is no diff of a text file: a dataset larger than DIFF_LIMIT ("too large to diff: …"). */
  note?: string;
}

/** A dataset file above this size (either side) is compared by sha256 only, not diffed. */
export const DIFF_LIMIT = 1 << 20;

/** One changed key of run.json's config (dotted path; arrays compared whole). */
export interface ConfigChange {
  key: string;
  status: "added" | "removed" | "changed";
  a: unknown;
  b: unknown;
}

export interface RunDiff {
  a: string;
  b: string;
  config: ConfigChange[];
  files: FileChange[];
  /** The prompt versions each run rendered (`prompt_version` events), per prompt name. */
  prompt_versions: PromptChange[];
  /** What could not be compared, and why (a trial has no snapshot, say). */
  notes: string[];
  counts: Record<ChangeStatus, number>;
}

/**
 * Diffs run `b` against run `a` (two run folders).
 *
 * @example
 * const d = diffRuns(runA.dir, runB.dir);
 * d.config; // [{ key: "temperature", status: "changed", a: 0.2, b: 0.7 }]
 */
export function diffRuns(dirA: string, dirB: string): RunDiff {
  const metaA = readRunJson(dirA);
  const metaB = readRunJson(dirB);
  const files: FileChange[] = [];
  const notes: string[] = [];
  const configA = metaA.config ?? {};
  const configB = metaB.config ?? {};
  const config = diffConfig(configA, configB);
  const textA = `${JSON.stringify(sortKeys(configA), null, 2)}\n`;
  const textB = `${JSON.stringify(sortKeys(configB), null, 2)}\n`;
  if (textA !== textB) {
    files.push({ section: "run_config", path: "run.json#config", status: "modified", binary: false, diff: unifiedDiff(textA, textB, { from: `a/${metaA.run_id}/run.json#config`, to: `b/${metaB.run_id}/run.json#config` }) });
  }

  const fa = runFiles(dirA);
  const fb = runFiles(dirB);
  for (const section of ["config", "prompts"] as const) {
    const rootA = fa[section];
    const rootB = fb[section];
    if (!existsSync(rootA) || !existsSync(rootB)) {
      notes.push(`${section}/: only milestones keep a copy (${missing(metaA, rootA, metaB, rootB)})`);
      continue;
    }
    const listA = walk(rootA);
    const listB = walk(rootB);
    compareLists(section, listA, listB, metaA.run_id, metaB.run_id, files, (p, side) => readFileSync(join(side === "a" ? rootA : rootB, p)));
  }

  const manA = readManifest(fa.manifest);
  const manB = readManifest(fb.manifest);
  if (!manA || !manB) notes.push(`code: only milestones keep a snapshot (${missing(metaA, manA ? "" : fa.manifest, metaB, manB ? "" : fb.manifest)})`);
  else {
    const read = (p: string, side: "a" | "b") => readFileSync(join(side === "a" ? fa.codeSnapshot : fb.codeSnapshot, p));
    compareLists("code", manA.code, manB.code, metaA.run_id, metaB.run_id, files, read);
  }
  // Datasets: by sha256 from each manifest; a file read only when small enough to diff.
  const dataA = manA?.data;
  const dataB = manB?.data;
  if (dataA && dataB && (dataA.size || dataB.size)) {
    const dir = (side: "a" | "b") => (side === "a" ? dirA : dirB);
    const size = (p: string, side: "a" | "b") => {
      try {
        return statSync(join(dir(side), "data", p)).size;
      } catch {
        return 0; // listed but gone: diffed as empty
      }
    };
    compareLists("data", dataA, dataB, metaA.run_id, metaB.run_id, files, (p, side) => readFileSync(join(dir(side), "data", p)), (p, inA, inB) => {
      const [a, b] = [inA ? size(p, "a") : 0, inB ? size(p, "b") : 0];
      return a > DIFF_LIMIT || b > DIFF_LIMIT ? `too large to diff (${a} → ${b} bytes); the sha256 differ` : undefined;
    });
  }

  const counts: Record<ChangeStatus, number> = { added: 0, removed: 0, modified: 0 };
  for (const f of files) counts[f.status]++;
  const prompt_versions = diffPromptVersions(dirA, dirB, metaA.run_id, metaB.run_id);
  return { a: metaA.run_id, b: metaB.run_id, config, files, prompt_versions, notes, counts };
}

function missing(metaA: { run_id: string }, a: string, metaB: { run_id: string }, b: string): string {
  const lacking = [a && !existsSync(a) ? metaA.run_id : "", b && !existsSync(b) ? metaB.run_id : ""].filter(Boolean);
  return lacking.length ? `${lacking.join(" and ")} ${lacking.length === 1 ? "has" : "have"} none` : "not compared";
}

/** path -> sha256 (or a content key) of each file. */
type Listing = Map<string, string>;

function compareLists(
  section: FileChange["section"],
  listA: Listing,
  listB: Listing,
  idA: string,
  idB: string,
  out: FileChange[],
  read: (p: string, side: "a" | "b") => Buffer,
  tooLarge?: (p: string, inA: boolean, inB: boolean) => string | undefined,
): void {
  const prefix = section === "code" ? "" : `${section}/`;
  const paths = [...new Set([...listA.keys(), ...listB.keys()])].sort();
  for (const p of paths) {
    const ha = listA.get(p);
    const hb = listB.get(p);
    if (ha === hb) continue;
    const status: ChangeStatus = ha === undefined ? "added" : hb === undefined ? "removed" : "modified";
    const note = tooLarge?.(p, ha !== undefined, hb !== undefined);
    if (note) {
      out.push({ section, path: `${prefix}${p}`, status, binary: false, diff: null, note });
      continue;
    }
    const a = ha === undefined ? Buffer.alloc(0) : safeRead(() => read(p, "a"));
    const b = hb === undefined ? Buffer.alloc(0) : safeRead(() => read(p, "b"));
    if (status === "modified" && a.equals(b)) continue;
    const binary = isBinary(a) || isBinary(b);
    const diff = binary
      ? null
      : unifiedDiff(a.toString("utf8"), b.toString("utf8"), {
          from: ha === undefined ? "/dev/null" : `a/${idA}/${prefix}${p}`,
          to: hb === undefined ? "/dev/null" : `b/${idB}/${prefix}${p}`,
        });
    out.push({ section, path: `${prefix}${p}`, status, binary, diff });
  }
}

function safeRead(fn: () => Buffer): Buffer {
  try {
    return fn();
  } catch {
    return Buffer.alloc(0); // listed but gone (a hand-pruned snapshot): diff as empty
  }
}

/**
 * True when the first 8 KiB hold a NUL byte (git's test).
 *
 * @example
 * isBinary(Buffer.from([0x89, 0x50, 0x00])); // true
 */
export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

/**
 * A snapshot manifest's listings (undefined: no manifest): its code files, path -> sha256,
 * and its kept datasets, name under data/ -> sha256.
 */
function readManifest(path: string): { code: Listing; data: Listing } | undefined {
  let manifest: { files?: { path: string; sha256: string }[]; datasets?: { path: string; sha256: string }[] };
  try {
    manifest = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  const code: Listing = new Map();
  for (const f of manifest.files ?? []) if (typeof f?.path === "string") code.set(f.path, String(f.sha256));
  const data: Listing = new Map();
  for (const d of manifest.datasets ?? []) {
    const name = typeof d?.path === "string" && d.path.startsWith("data/") ? d.path.slice(5) : "";
    if (name && name !== "." && name !== ".." && !/[\\/\0]/.test(name)) data.set(name, String(d.sha256)); // one file in data/, nothing else
  }
  return { code, data };
}

/** Every file under `root` (relative path -> content as a key). Copied config trees are small. */
function walk(root: string, rel = "", out: Listing = new Map()): Listing {
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(root, p, out);
    else if (entry.isFile()) out.set(p, readFileSync(join(root, p)).toString("base64"));
  }
  return out;
}

/**
 * Key-by-key changes between two configs.
 *
 * @example
 * diffConfig({ model: "a", t: 0.2 }, { model: "a", t: 0.7 }); // [{ key: "t", status: "changed", a: 0.2, b: 0.7 }]
 */
export function diffConfig(a: Record<string, unknown>, b: Record<string, unknown>): ConfigChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: ConfigChange[] = [];
  for (const key of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const inA = fa.has(key);
    const inB = fb.has(key);
    const va = fa.get(key);
    const vb = fb.get(key);
    if (inA && inB && JSON.stringify(va) === JSON.stringify(vb)) continue;
    out.push({ key, status: !inA ? "added" : !inB ? "removed" : "changed", a: inA ? va : null, b: inB ? vb : null });
  }
  return out;
}

function flatten(value: Record<string, unknown>, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
