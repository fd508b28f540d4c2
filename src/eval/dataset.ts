/**
 * Datasets: `dataset("name")` names `experiments/<exp>/data/<name>.jsonl` (or `.json`,
 * `.csv`) of the current run's experiment; `dataset(rows)` takes an array. Every case gets
 * a stable id: the one given, else a content hash of its input and expected output.
 *
 * A file dataset is read when its cases are first touched (its length, an index, a loop),
 * and then whole; `evaluate()` given it untouched reads the file itself, a case at a time
 * (source.ts), so an evaluation's memory does not grow with the file.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "pathe";
import { hash } from "ohash";
import { UserError } from "../core/errors";
import { getCurrentRun } from "../tracking/context";
import { keepDataset } from "../snapshot/dataset";
import { parseCsv } from "./csv";
import { csvRow, fileHash } from "./source";
import type { Dataset, EvalCase } from "./case";

export type { Dataset, EvalCase } from "./case";

const EXTENSIONS = [".jsonl", ".json", ".csv"];

/** The experiment folder of the current run (runs/<id> sits two levels below it). */
export function experimentDirOfCurrentRun(what: string): string {
  const run = getCurrentRun();
  if (!run) throw new UserError(`${what} needs a run to know the experiment: call it inside an experiment (or pass the data itself)`);
  return join(run.dir, "..", "..");
}

/** A row as a case. */
export function toCase(row: unknown, where: string): EvalCase {
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
    return parseCsv(text).map((r, i) => toCase(csvRow(r, file, i + 1), file));
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

/** Where a file dataset comes from: what `evaluate()` streams. */
export interface DatasetSource {
  file: string;
  name: string;
}

const SOURCE = Symbol.for("scryptorum.datasetSource");

/**
 * The file an untouched `dataset("name")` stands for (undefined once its cases were read:
 * the array, perhaps changed by the caller, is then the dataset).
 */
export function datasetSource(data: unknown): DatasetSource | undefined {
  return data !== null && typeof data === "object" ? ((data as Record<symbol, unknown>)[SOURCE] as DatasetSource | undefined) : undefined;
}

/**
 * An array that reads its file the first time anything but its name, its hash or its
 * source is asked of it: every array operation then works on the real cases. A Proxy over
 * the array itself, filled in place, so `Array.isArray` holds and nothing else changes.
 */
function lazyDataset(src: DatasetSource): Dataset {
  const target = [] as unknown as Dataset;
  let loaded = false;
  let sha: string | undefined;
  Object.defineProperty(target, "name", { value: src.name, enumerable: false });
  Object.defineProperty(target, "hash", { get: () => (sha ??= fileHash(src.file)), enumerable: false });
  const load = () => {
    if (loaded) return;
    loaded = true;
    const text = readFileSync(src.file, "utf8");
    const cases = withMeta(parseDataset(text, src.file), src.name, text);
    sha = cases.hash;
    for (const c of cases) target.push(c);
  };
  const own = (key: string | symbol) => key === "name" || key === "hash";
  return new Proxy(target, {
    get(t, key, receiver) {
      if (key === SOURCE) return loaded ? undefined : src;
      if (!own(key)) load();
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (key === SOURCE) return !loaded;
      if (!own(key)) load();
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      load();
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, key) {
      if (!own(key)) load();
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    set(t, key, value, receiver) {
      load();
      return Reflect.set(t, key, value, receiver);
    },
    defineProperty(t, key, attrs) {
      load();
      return Reflect.defineProperty(t, key, attrs);
    },
    deleteProperty(t, key) {
      load();
      return Reflect.deleteProperty(t, key);
    },
  });
}

/** The dataset file `name` stands for in the current run's experiment (or a path). */
export function resolveDataset(name: string): DatasetSource {
  let file: string | undefined;
  if (isAbsolute(name) || name.includes("/") || EXTENSIONS.some((e) => name.endsWith(e))) {
    file = isAbsolute(name) ? name : join(process.cwd(), name);
    // An absolute path is that file; a relative one may also be under the experiment's data/.
    if (!existsSync(file) && !isAbsolute(name)) {
      const dataDir = join(experimentDirOfCurrentRun(`dataset("${name}")`), "data");
      file = join(dataDir, name);
    }
  } else {
    const dataDir = join(experimentDirOfCurrentRun(`dataset("${name}")`), "data");
    file = EXTENSIONS.map((e) => join(dataDir, `${name}${e}`)).find((f) => existsSync(f));
    if (!file) throw new UserError(`no dataset "${name}": put ${name}.jsonl, ${name}.json or ${name}.csv in ${dataDir}`);
  }
  if (!existsSync(file)) throw new UserError(`no dataset file ${file}: check the name`);
  // A milestone keeps the file it evaluates (in its data/, deduplicated like its code).
  const run = getCurrentRun();
  if (run?.type === "milestone") keepDataset(run.dir, file);
  return { file, name: name.replace(/\.(jsonl|json|csv)$/, "").split("/").pop()! };
}

/**
 * The cases of a dataset. A file is found at once (a missing one throws here) and read when
 * its cases are first used; `evaluate()` streams an untouched one.
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
  return lazyDataset(resolveDataset(String(source))) as Dataset<I, E>;
}
