/**
 * Reading a dataset file a piece at a time, so that an evaluation holds the cases in flight,
 * not the file: JSONL a line at a time, CSV a record at a time (both from 1 MiB chunks); a
 * `.json` array is one value and is read whole. Two passes: `scanDataset` (before anything
 * runs: every row checked, the count, the sha256 of the bytes, each case's id and short
 * hash) and `readCases` (the cases again, one by one, as the evaluation takes them).
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { UserError } from "../core/errors";
import { CsvReader } from "./csv";
import { caseHash } from "./fingerprint";
import { IdSet, idHash } from "./idset";
import type { EvalCase } from "./case";

const CHUNK = 1 << 20;

/** Builds a case from a parsed row. */
export type ToCase = (row: unknown, where: string) => EvalCase;

/** The chunks of a file (its first `limit` bytes); each buffer is reused by the next read. */
function* chunks(file: string, limit = Infinity): Generator<Buffer> {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let left = limit;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, left), null);
      if (n === 0) return;
      left -= n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of a file (its first `limit` bytes) without their `\n`, with their numbers and
 * the byte offset each starts at; a line may span chunks.
 *
 * @example
 * for (const [text, lineNo, offset] of lines("run.jsonl")) …
 */
export function* lines(file: string, onBytes?: (b: Buffer) => void, limit?: number): Generator<[string, number, number]> {
  let rest: Buffer | undefined;
  let lineNo = 0;
  let base = 0;
  let restAt = 0;
  for (const chunk of chunks(file, limit)) {
    onBytes?.(chunk);
    let start = 0;
    let nl = chunk.indexOf(10);
    if (rest !== undefined && nl !== -1) {
      const head = Buffer.concat([rest, chunk.subarray(0, nl)]);
      rest = undefined;
      yield [head.toString("utf8"), ++lineNo, restAt];
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      yield [chunk.toString("utf8", start, nl), ++lineNo, base + start];
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    // The chunk's buffer is reused by the next read: keep a copy of the unfinished line.
    if (start < chunk.length) {
      if (rest === undefined) {
        rest = Buffer.from(chunk.subarray(start));
        restAt = base + start;
      } else rest = Buffer.concat([rest, chunk.subarray(start)]);
    }
    base += chunk.length;
  }
  if (rest !== undefined) yield [rest.toString("utf8"), ++lineNo, restAt];
}

/** The parsed rows of a dataset file, in order, each with where it came from (for messages). */
function* rows(file: string, onBytes?: (b: Buffer) => void): Generator<[unknown, string]> {
  if (file.endsWith(".json")) {
    const bytes = readFileSync(file);
    onBytes?.(bytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8"));
    } catch (error) {
      throw new UserError(`${file} is not valid JSON (${(error as Error).message}): fix the file`);
    }
    if (!Array.isArray(parsed)) throw new UserError(`${file} must hold a JSON array of cases`);
    for (const r of parsed) yield [r, file];
    return;
  }
  if (file.endsWith(".csv")) {
    const ready: Record<string, string>[] = [];
    const reader = new CsvReader((r) => ready.push(r));
    const decoder = new TextDecoder();
    let n = 0;
    const drain = function* (): Generator<[unknown, string]> {
      for (let k = 0; k < ready.length; k++) yield [csvRow(ready[k]!, file, ++n), file];
      ready.length = 0;
    };
    for (const chunk of chunks(file)) {
      onBytes?.(chunk);
      reader.push(decoder.decode(chunk, { stream: true }));
      yield* drain();
    }
    reader.push(decoder.decode());
    reader.end();
    yield* drain();
    return;
  }
  for (const [line, lineNo] of lines(file, onBytes)) {
    if (line.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UserError(`${file} line ${lineNo} is not valid JSON: fix or remove it`);
    }
    yield [row, file];
  }
}

/** A CSV record as a case row: `id`, `input`, `expected` kept, other columns become metadata. */
export function csvRow(r: Record<string, string>, file: string, n: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === "id" || k === "input" || k === "expected") row[k] = v;
    else metadata[k] = v;
  }
  if (!Object.hasOwn(row, "input")) throw new UserError(`${file}: the CSV header needs an "input" column (line ${n})`);
  if (Object.keys(metadata).length) row.metadata = metadata;
  return row;
}

/** What the first pass learns about a dataset file. */
export interface Scan {
  /** sha256 of the file's bytes: the dataset's version. */
  hash: string;
  /** Cases in the file. */
  count: number;
  /** `{"<case id>":"<8 hex digits>",…}` (`eval_started`'s `case_hashes`), as text: no object of a key a case. */
  caseHashesJson: string;
  /** The cases' ids (as hashes). */
  ids: IdSet;
}

/**
 * Reads a dataset file once, checking every row: the file's hash, the cases' ids and short
 * hashes, `onCase` called with each id in order. Throws (before any case runs) on a row that
 * does not parse or two cases with one id. What it keeps is about 30 bytes a case.
 *
 * @example
 * scanDataset("data/qa.jsonl", "qa", toCase).count; // 200
 */
export function scanDataset(file: string, name: string, toCase: ToCase, onCase?: (id: string) => void): Scan {
  const sha = createHash("sha256");
  const ids = new IdSet();
  // The JSON text in blocks of joined pieces: flat strings, not a rope of a piece a case.
  const blocks: string[] = [];
  let pieces: string[] = [];
  for (const [row, where] of rows(file, (b) => sha.update(b))) {
    const c = toCase(row, where);
    ids.add(c.id);
    pieces.push(`${JSON.stringify(c.id)}:"${caseHash(c)}"`);
    if (pieces.length === 4096) {
      blocks.push(pieces.join(","));
      pieces = [];
    }
    onCase?.(c.id);
  }
  if (pieces.length) blocks.push(pieces.join(","));
  const twice = ids.seal();
  if (twice.length) {
    const dup = duplicateId(file, new Set(twice), toCase);
    if (dup !== undefined) throw new UserError(`dataset "${name}": two cases have the id "${dup}": give each case its own id`);
  }
  return { hash: sha.digest("hex"), count: ids.size, caseHashesJson: `{${blocks.join(",")}}`, ids };
}

/** The first id that two cases share, among those whose hash is in `suspects` (a second pass). */
function duplicateId(file: string, suspects: Set<number>, toCase: ToCase): string | undefined {
  const seen = new Set<string>();
  for (const [row, where] of rows(file)) {
    const id = toCase(row, where).id;
    if (!suspects.has(idHash(id))) continue;
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/**
 * The sha256 of a file, read in chunks.
 *
 * @example
 * fileHash("data/qa.jsonl"); // "9f86d0…"
 */
export function fileHash(file: string): string {
  const sha = createHash("sha256");
  for (const chunk of chunks(file)) sha.update(chunk);
  return sha.digest("hex");
}

/**
 * The cases of a dataset file, one at a time; throws when they are no longer those
 * `scanDataset` saw (the file changed while the evaluation ran).
 *
 * @example
 * for (const c of readCases(file, scan, toCase)) console.log(c.id);
 */
export function* readCases(file: string, scan: Pick<Scan, "count" | "ids">, toCase: ToCase): Generator<EvalCase> {
  let i = 0;
  const changed = () => new UserError(`${file} changed while the evaluation read it: leave a dataset file alone until its evaluation ends, then run it again`);
  for (const [row, where] of rows(file)) {
    const c = toCase(row, where);
    if (++i > scan.count || !scan.ids.has(c.id)) throw changed();
    yield c;
  }
  if (i !== scan.count) throw changed();
}
