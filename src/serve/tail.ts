/**
 * Live runs: a server-sent-events stream of the lines appended to a run's JSONL files.
 * Polls each file's size every 250 ms and sends the new whole lines only; a torn last line
 * (a writer in the middle of its write, or a crashed one) waits until its newline arrives.
 * A file that shrinks (a trial emptied for the next one) starts over from the top with a
 * `reset` event. run.json is watched too, for the status.
 *
 * Events: `records` `{file: "events"|"metrics"|"timings", records: [...]}`, `status`
 * `{status, finished_at, duration_seconds}`, `reset` `{file}`; a comment line every 10 s
 * keeps the connection open.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { runFiles } from "../core/layout";
import { readRunJson, reportedStatus } from "../core/runfile";
import type { TailOffsets } from "./api";

export interface TailOptions {
  /** How often to poll; default 250 ms. */
  intervalMs?: number;
  /** How often to send a keep-alive comment; default 10 s. */
  heartbeatMs?: number;
}

const KINDS = ["events", "metrics", "timings"] as const;
type Kind = (typeof KINDS)[number];

/** Largest read per file per tick; a longer run of new lines is sent over several ticks. */
const MAX_READ = 8 * 1024 * 1024;

/** Reads bytes [from, to) of a file; empty when it is gone. */
function readRange(path: string, from: number, to: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * One follower of a run folder: call `poll()` to get what changed since the last call.
 *
 * @example
 * const t = new RunTail(run.dir, { events: 0, metrics: 0, timings: 0 });
 * t.poll(); // [{ event: "records", data: { file: "metrics", records: [...] } }]
 */
export class RunTail {
  private offsets: Record<Kind, number>;
  private paths: Record<Kind, string> & { run: string };
  private runStamp = "";
  private lastStatus = "";
  private lastStatusCheck = 0;

  constructor(dir: string, from: Partial<TailOffsets> = {}) {
    const f = runFiles(dir);
    this.paths = { events: f.events, metrics: f.metrics, timings: f.timings, run: f.run };
    this.offsets = {
      events: from.events ?? sizeOf(f.events),
      metrics: from.metrics ?? sizeOf(f.metrics),
      timings: from.timings ?? sizeOf(f.timings),
    };
  }

  /** Events to send: new whole lines, resets, a changed status. */
  poll(now = Date.now()): { event: string; data: unknown }[] {
    const out: { event: string; data: unknown }[] = [];
    for (const kind of KINDS) {
      const path = this.paths[kind];
      const size = sizeOf(path);
      let offset = this.offsets[kind];
      if (size < offset) {
        offset = this.offsets[kind] = 0;
        out.push({ event: "reset", data: { file: kind } });
      }
      if (size <= offset) continue;
      const buf = readRange(path, offset, Math.min(size, offset + MAX_READ));
      const end = buf.lastIndexOf(0x0a);
      if (end < 0) {
        // No newline yet: a torn line. A single line longer than MAX_READ is skipped whole
        // once its newline shows up past the window (readers skip such a line anyway).
        if (buf.length === MAX_READ) {
          const nl = nextNewline(path, offset + MAX_READ, size);
          if (nl >= 0) this.offsets[kind] = nl + 1;
        }
        continue;
      }
      this.offsets[kind] = offset + end + 1;
      const records: unknown[] = [];
      let start = 0;
      while (start <= end) {
        const nl = buf.indexOf(0x0a, start);
        const line = buf.subarray(start, nl).toString("utf8").trim();
        start = nl + 1;
        if (line.length === 0) continue;
        try {
          const record = JSON.parse(line);
          if (record && typeof record === "object" && !Array.isArray(record)) records.push(record);
        } catch {
          // A line that does not parse is skipped, as every reader does.
        }
      }
      if (records.length > 0) out.push({ event: "records", data: { file: kind, records } });
    }
    const status = this.status(now);
    if (status) out.push({ event: "status", data: status });
    return out;
  }

  /** The run's status when run.json changed, or (while running) once a second to notice a crash. */
  private status(now: number): { status: string; finished_at: string | null; duration_seconds: number | null } | undefined {
    let stamp = "";
    try {
      const st = statSync(this.paths.run);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return undefined;
    }
    const due = this.lastStatus === "running" && now - this.lastStatusCheck >= 1000;
    if (stamp === this.runStamp && !due) return undefined;
    this.runStamp = stamp;
    this.lastStatusCheck = now;
    let meta;
    try {
      meta = readRunJson(this.paths.run.slice(0, -"/run.json".length));
    } catch {
      return undefined;
    }
    const status = reportedStatus(meta);
    if (status === this.lastStatus) return undefined;
    this.lastStatus = status;
    return { status, finished_at: meta.finished_at ?? null, duration_seconds: meta.duration_seconds ?? null };
  }
}

/** Position of the first newline at or after `from`, or -1 when none before `size`. */
function nextNewline(path: string, from: number, size: number): number {
  for (let pos = from; pos < size; ) {
    const buf = readRange(path, pos, Math.min(size, pos + MAX_READ));
    if (buf.length === 0) break;
    const nl = buf.indexOf(0x0a);
    if (nl >= 0) return pos + nl;
    pos += buf.length;
  }
  return -1;
}

/**
 * The SSE body for a run: polls until `signal` aborts (the client went away) or the
 * stream is cancelled.
 */
export function tailStream(dir: string, from: Partial<TailOffsets>, signal: AbortSignal, opts: TailOptions = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const tail = new RunTail(dir, from);
  let timer: ReturnType<typeof setInterval> | undefined;
  let beat: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(timer);
    clearInterval(beat);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const tick = () => {
        let events;
        try {
          events = tail.poll();
        } catch {
          return; // a file mid-rename (trial reset): try again next tick
        }
        for (const e of events) send(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      };
      send(`retry: 1000\n: connected\n\n`);
      tick();
      timer = setInterval(tick, opts.intervalMs ?? 250);
      beat = setInterval(() => send(`: ping\n\n`), opts.heartbeatMs ?? 10_000);
      signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      }, { once: true });
    },
    cancel() {
      stop();
    },
  });
}
