/** Reading a run from disk for export: run.json, environment.json's git, and its three JSONL files. */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { readJsonlAll } from "../core/jsonl";
import { runFiles } from "../core/layout";
import { readRunJson, reportedStatus } from "../core/runfile";
import { runTrace, TraceAssembler, type MappingOptions, type RunInfo, type TraceSpan } from "./mapping";

function readGit(path: string): RunInfo["git"] {
  try {
    const g = JSON.parse(readFileSync(path, "utf8"))?.git;
    if (!g || typeof g !== "object") return null;
    return { commit: typeof g.commit === "string" ? g.commit : null, branch: typeof g.branch === "string" ? g.branch : null, dirty: typeof g.dirty === "boolean" ? g.dirty : null };
  } catch {
    return null;
  }
}

/** What the root span says about the run in `dir`. */
export function runInfoOf(dir: string): RunInfo {
  const meta = readRunJson(dir);
  return {
    project: meta.project,
    experiment: meta.experiment,
    run_id: meta.run_id,
    run_type: meta.run_type,
    status: reportedStatus(meta),
    started_at: meta.started_at,
    finished_at: meta.finished_at ?? null,
    tags: meta.tags ?? [],
    note: meta.note ?? null,
    config: meta.config ?? {},
    error: meta.error ?? null,
    git: meta.run_type === "milestone" ? readGit(runFiles(dir).environment) : null,
  };
}

/**
 * The spans of the run in `dir`.
 *
 * @example
 * readRunTrace(".../runs/v1").length; // 1 + its LLM calls and timings
 */
export function readRunTrace(dir: string, opts: MappingOptions = {}): TraceSpan[] {
  const files = runFiles(dir);
  return runTrace(runInfoOf(dir), { events: readJsonlAll(files.events), timings: readJsonlAll(files.timings), metrics: readJsonlAll(files.metrics) }, opts);
}

/**
 * Calls `onRecord` for each record of a JSONL file, a 1 MiB chunk at a time, awaiting
 * `between()` after each chunk (where the caller sends what it made of it). Lines that do not
 * parse are skipped with one warning, as every reader does.
 */
async function eachRecord(path: string, onRecord: (r: Record<string, unknown>) => void, between: () => Promise<void>): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new Error(`Failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let buf = Buffer.allocUnsafe(1 << 20);
  const skipped: number[] = [];
  let kept = 0; // bytes of an unfinished line, at the start of buf
  let lineNo = 0;
  const line = (text: string) => {
    lineNo++;
    if (text.length === 0) return;
    let r: unknown;
    try {
      r = JSON.parse(text);
    } catch {
      skipped.push(lineNo);
      return;
    }
    if (r === null || typeof r !== "object" || Array.isArray(r)) skipped.push(lineNo);
    else onRecord(r as Record<string, unknown>);
  };
  try {
    for (;;) {
      if (kept === buf.length) {
        // A line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const n = readSync(fd, buf, kept, buf.length - kept, null);
      const filled = kept + n;
      // Split on the newline byte (never inside a UTF-8 sequence) and decode whole lines only, once per chunk.
      const last = n === 0 ? filled : buf.lastIndexOf(10, filled - 1) + 1;
      if (last > 0) {
        const text = buf.toString("utf8", 0, last);
        let start = 0;
        for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
          line(text.slice(start, nl));
          start = nl + 1;
        }
        if (start < text.length) line(text.slice(start));
      }
      kept = filled - last;
      if (kept > 0) buf.copyWithin(0, last, filled);
      if (n === 0) break;
      await between();
    }
  } finally {
    closeSync(fd);
  }
  if (skipped.length > 0) {
    process.stderr.write(`[warn] Skipped ${skipped.length === 1 ? "a line that does" : "lines that do"} not parse in ${path}: line ${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? `, … (${skipped.length} in all)` : ""}\n`);
  }
}

/**
 * Reads the run in `dir` and hands its spans to `push` in batches of about `batch` as it
 * reads, the root span last; resolves with the number of spans.
 *
 * @example
 * await streamRunTrace(dir, {}, 1000, (spans) => pipeline.push(spans));
 */
export async function streamRunTrace(dir: string, opts: MappingOptions, batch: number, push: (spans: TraceSpan[]) => Promise<void>): Promise<number> {
  const files = runFiles(dir);
  const info = runInfoOf(dir);
  const timings = readJsonlAll(files.timings);
  const ids = new Set<string>();
  for (const r of timings) if (typeof r.span_id === "string") ids.add(r.span_id);
  const a = new TraceAssembler(info, opts, ids);
  let pending: TraceSpan[] = [];
  let count = 0;
  const flush = async (all = false) => {
    if (pending.length >= batch || (all && pending.length > 0)) {
      const out = pending;
      pending = [];
      count += out.length;
      await push(out);
    }
  };
  await eachRecord(files.events, (r) => {
    const s = a.event(r);
    if (s) pending.push(s);
  }, () => flush());
  for (const r of timings) {
    const s = a.timing(r);
    if (s) pending.push(s);
  }
  for (const r of readJsonlAll(files.metrics)) a.metric(r);
  pending.push(a.root());
  await flush(true);
  return count;
}
