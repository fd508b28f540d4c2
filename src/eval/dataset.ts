/**
 * Datasets: `dataset("name")` reads `experiments/<exp>/data/<name>.jsonl` (or `.json`,
 * `.csv`) of the current run's experiment; `dataset(rows)` takes an array. Every case gets
 * a stable id: the one given, else a content hash of its input and expected output.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "pathe";
import { hash } from "ohash";
import { UserError } from "../core/errors";
import { getCurrentRun } from "../tracking/context";
import { parseCsv } from "./csv";

/** One case of an evaluation. */
export interface EvalCase<I = unknown, E = unknown> {
  id: string;
  input: I;
  expected?: E;
  metadata?: Record<string, unknown>;
}

/** The cases, with the dataset's name and the sha256 of its content (its version). */
export type Dataset<I = unknown, E = unknown> = EvalCase<I, E>[] & { name: string; hash: string };

const EXTENSIONS = [".jsonl", ".json", ".csv"];

/** The experiment folder of the current run (runs/<id> sits two levels below it). */
export function experimentDirOfCurrentRun(what: string): string {
  const run = getCurrentRun();
  if (!run) throw new UserError(`${what} needs a run to know the experiment: call it inside an experiment (or pass the data itself)`);
  return join(run.dir, "..", "..");
}

function toCase(row: unknown, where: string): EvalCase {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    return { id: hash({ input: row }), input: row };
  }
  const r = row as Record<string, unknown>;
  const hasInput = Object.hasOwn(r, "input");
  const input = hasInput ? r.input : Object.fromEntries(Object.entries(r).filter(([k]) => !["id", "expected", "metadata"].includes(k)));
  if (r.id !== undefined && typeof r.id !== "string" && typeof r.id !== "number") {
    throw new UserError(`${where}: a case's id must be a string or a number, not ${JSON.stringify(r.id)}`);
  }
  const c: EvalCase = { id: r.id !== undefined ? String(r.id) : hash({ input, expected: r.expected }), input };
  if (r.expected !== undefined) c.expected = r.expected;
  if (r.metadata !== undefined) c.metadata = r.metadata as Record<string, unknown>;
  return c;
}

function withMeta(cases: EvalCase[], name: string, content: string): Dataset {
  const ds = cases as Dataset;
  Object.defineProperty(ds, "name", { value: name, enumerable: false });
  Object.defineProperty(ds, "hash", { value: createHash("sha256").update(content).digest("hex"), enumerable: false });
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new UserError(`dataset "${name}": two cases have the id "${c.id}": give each case its own id`);
    seen.add(c.id);
  }
  return ds;
}

/**
 * Parses a dataset file's text by its extension.
 *
 * @example
 * parseDataset('{"input":"2+2","expected":"4"}\n', "math.jsonl"); // [{ id: "…", input: "2+2", expected: "4" }]
 */
export function parseDataset(text: string, file: string): EvalCase[] {
  if (file.endsWith(".csv")) {
    const rows = parseCsv(text);
    return rows.map((r, i) => {
      const metadata: Record<string, unknown> = {};
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (k === "id" || k === "input" || k === "expected") row[k] = v;
        else metadata[k] = v;
      }
      if (!Object.hasOwn(row, "input")) throw new UserError(`${file}: the CSV header needs an "input" column (line ${i + 1})`);
      if (Object.keys(metadata).length) row.metadata = metadata;
      return toCase(row, file);
    });
  }
  if (file.endsWith(".json")) {
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (error) {
      throw new UserError(`${file} is not valid JSON (${(error as Error).message}): fix the file`);
    }
    if (!Array.isArray(rows)) throw new UserError(`${file} must hold a JSON array of cases`);
    return rows.map((r) => toCase(r, file));
  }
  const cases: EvalCase[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      cases.push(toCase(JSON.parse(line), file));
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${file} line ${i + 1} is not valid JSON: fix or remove it`);
    }
  });
  return cases;
}

/**
 * The cases of a dataset.
 *
 * @example
 * const cases = dataset("questions");           // experiments/<exp>/data/questions.jsonl
 * const inline = dataset([{ input: "2+2", expected: "4" }]);
 */
export function dataset<I = unknown, E = unknown>(source: string | readonly unknown[]): Dataset<I, E> {
  if (Array.isArray(source)) {
    const cases = source.map((r) => toCase(r, "dataset(rows)"));
    return withMeta(cases, "inline", JSON.stringify(cases)) as Dataset<I, E>;
  }
  const name = String(source);
  let file: string | undefined;
  if (isAbsolute(name) || name.includes("/") || EXTENSIONS.some((e) => name.endsWith(e))) {
    file = isAbsolute(name) ? name : join(process.cwd(), name);
    if (!existsSync(file)) {
      const dataDir = join(experimentDirOfCurrentRun(`dataset("${name}")`), "data");
      file = join(dataDir, name);
    }
  } else {
    const dataDir = join(experimentDirOfCurrentRun(`dataset("${name}")`), "data");
    file = EXTENSIONS.map((e) => join(dataDir, `${name}${e}`)).find((f) => existsSync(f));
    if (!file) throw new UserError(`no dataset "${name}": put ${name}.jsonl, ${name}.json or ${name}.csv in ${dataDir}`);
  }
  if (!existsSync(file)) throw new UserError(`no dataset file ${file}: check the name`);
  const text = readFileSync(file, "utf8");
  const label = name.replace(/\.(jsonl|json|csv)$/, "").split("/").pop()!;
  return withMeta(parseDataset(text, file), label, text) as Dataset<I, E>;
}
