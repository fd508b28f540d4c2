/**
 * The JSONL store.
 *
 * Writing: each file has one append-only descriptor (O_APPEND) and a buffer of whole lines
 * (a SharedArrayBuffer). Whoever writes hands every buffered line to the kernel in one
 * write(2). On Linux a write to a regular file opened with O_APPEND holds the inode lock for
 * its whole length, so lines from several processes never interleave, whatever their size
 * (measured in test/reliability; not true on NFS, see RELIABILITY.md). The lines are written
 * by the flusher thread (flusher.ts) TICK_MS after they arrive, even while this thread's
 * event loop is blocked; by this thread when the buffer is full; and synchronously on
 * flush(), finish(), signals and exit. So every record logged more than 200 ms before a
 * SIGKILL is on disk (test/reliability/burst.test.ts). Where no Worker can be started, an
 * unref'd timer and a per-record age check write them instead (the old design: a burst
 * followed by a blocked event loop then waits for the loop).
 *
 * Reading: streamed in 1 MiB chunks; a line that does not parse (a torn last line after a
 * crash) is skipped with one warning per file naming the file and line, every other record
 * is kept.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { FAILED, FD, HEAD, HEADER_BYTES, TAIL, flusherReady, kickFlusher, lock, register, ringId, unlock, wakeFlusher } from "./flusher";

export const FLUSH_MS = 100;
const CHUNK_BYTES = 1024 * 1024;
// Past this many unwritten bytes, this thread writes the buffer itself (writes stay the size
// they were before the flusher thread: a reader sees a large write in progress for longer).
const FLUSH_BYTES = 256 * 1024;
// Past this many, it asks the flusher thread to write them now, so that in a hot loop the
// write(2) happens there and this thread only encodes (and resets the buffer when full).
const KICK_BYTES = 128 * 1024;

/** Open writers (and writers a straggling record reopened): all flushed on exit and signals. */
const open = new Set<JsonlWriter>();
/** Without a flusher thread: writers with buffered lines, for the timer. */
const dirty = new Set<JsonlWriter>();
let timer: ReturnType<typeof setTimeout> | undefined;

function onTimer() {
  timer = undefined;
  for (const w of dirty) {
    try {
      w.flush();
    } catch (error) {
      // A failing background flush (ENOSPC, say) must not crash the user's process from a
      // timer; it is kept and rethrown by the next synchronous flush or finish().
      w.pendingError ??= error as Error;
    }
  }
}

/**
 * Writes every buffered line of every writer in this process now (on exit and signals:
 * records logged after a run closed, by a straggling task, sit in writers no run holds).
 */
export function flushAllWriters(): void {
  for (const w of [...open]) {
    try {
      w.flush();
    } catch {
      // the process is ending; the error was the writer's to report
    }
  }
}

/**
 * An append-only JSONL file with a line buffer.
 *
 * @example
 * const w = new JsonlWriter("/tmp/x.jsonl");
 * w.append('{"a":1}', Date.now());
 * w.close();
 */
export class JsonlWriter {
  private fd: number;
  private readonly id = ringId();
  private readonly sab = new SharedArrayBuffer(HEADER_BYTES + CHUNK_BYTES);
  private readonly ctl = new Int32Array(this.sab, 0, HEADER_BYTES / 4);
  // Lines are encoded into this buffer as they come: encoding one short flat string is far
  // cheaper than flattening and encoding a long rope of them at flush time (profiled).
  // (Readable by the hot path, which encodes a line straight into it: see reserve().)
  readonly chunk = Buffer.from(this.sab, HEADER_BYTES, CHUNK_BYTES);
  /** End of the buffered lines (this thread's copy of TAIL; only this thread moves it). */
  private tail = 0;
  /** True when the flusher thread writes this buffer; false: the timer does. */
  private threaded = false;
  /** Handed to the flusher thread (at the first buffered line: a writer that never logs starts no thread). */
  private registered = false;
  private firstAt = 0;
  /** HEAD when this writer last kicked the flusher: one kick until the flusher has written. */
  private kickedAt = -1;
  private lastWriteAt = 0;
  /** Bytes this writer has put in the file (counted at each synchronous flush). */
  written = 0;
  pendingError?: Error;
  /** Asked before a closed writer reopens its file for a straggling record; false drops it (attachment.ts). */
  mayReopen?: () => boolean;

  constructor(readonly path: string) {
    this.fd = -1;
    this.reopen();
    // A torn last line from a crashed writer: start ours on a fresh line.
    if (endsTorn(path, this.fd)) {
      this.chunk[this.tail++] = 0x0a;
      Atomics.store(this.ctl, TAIL, this.tail);
      this.firstBuffered(Date.now());
    }
  }

  private reopen(): void {
    this.fd = openSync(this.path, "a");
    Atomics.store(this.ctl, FD, this.fd);
    open.add(this);
    this.registered = false;
  }

  /** Adds one line (JSON text without the newline). `now` is the record's Date.now(). */
  append(line: string, now: number): void {
    // A record logged after finish() (a straggling async task, say) reopens the file.
    if (this.fd < 0) {
      if (this.mayReopen !== undefined && !this.mayReopen()) return;
      this.reopen();
    }
    const start = this.tail;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a line that might not fit goes alone.
    const worst = line.length * 3 + 1;
    if (start + worst > CHUNK_BYTES) {
      this.flush();
      if (worst > CHUNK_BYTES) {
        const data = Buffer.from(line + "\n", "utf8");
        this.writeOut(data);
        this.written += data.length;
        return;
      }
      return this.append(line, now);
    }
    const tail = start + this.chunk.write(line, start, "utf8");
    this.chunk[tail] = 0x0a;
    this.commit(tail + 1, now);
  }

  /**
   * For a caller that encodes a line itself (the timer's, spanline.ts): returns the offset
   * in `chunk` where up to `bytes` bytes fit (`bytes` at most 64 KiB); write the line and
   * its newline there, then call `commit` with the offset past it. Nothing else may log in
   * between. Returns -1 when the line must be dropped (a closed writer that may not reopen,
   * as `append` drops it).
   */
  reserve(bytes: number): number {
    if (this.fd < 0) {
      if (this.mayReopen !== undefined && !this.mayReopen()) return -1;
      this.reopen();
    }
    if (this.tail + bytes > CHUNK_BYTES) this.flush();
    return this.tail;
  }

  /** Publishes the lines written into `chunk` up to `tail` (see reserve). */
  commit(tail: number, now: number): void {
    const start = this.tail;
    this.tail = tail;
    Atomics.store(this.ctl, TAIL, tail);
    // Read HEAD after publishing TAIL: if the flusher emptied the buffer before seeing our
    // line, we see it and wake it; otherwise it sees our line on its next look.
    const head = Atomics.load(this.ctl, HEAD);
    if (head === start) this.firstBuffered(now);
    else if (!this.threaded) {
      if (tail >= FLUSH_BYTES || now - this.firstAt >= FLUSH_MS) this.flush();
    } else if (tail - head >= KICK_BYTES) {
      if (tail - head >= FLUSH_BYTES) this.flush(); // the flusher is not keeping up
      else if (head !== this.kickedAt && kickFlusher()) this.kickedAt = head;
    }
  }

  /** The buffer went from empty to not empty. */
  private firstBuffered(now: number): void {
    if (!this.registered) {
      this.registered = true;
      this.threaded = register(this.sab, this.id);
    }
    if (this.threaded && wakeFlusher()) {
      // Until the thread runs, write through: each line goes out at once (a write(2) per
      // line, for the ~50 ms the thread takes to start; seconds on a loaded machine, when a
      // burst then a blocked event loop lost every line: burst.test.ts under load).
      if (!flusherReady()) this.flush();
      return;
    }
    this.threaded = false;
    // Without the flusher thread: a record after FLUSH_MS without writes goes out at once
    // (so a lone record is on disk even if the event loop blocks right after it); the
    // records that follow it are batched until the timer or a record FLUSH_MS later.
    if (now - this.lastWriteAt >= FLUSH_MS) return this.flush();
    this.firstAt = now;
    dirty.add(this);
    timer ??= setTimeout(onTimer, FLUSH_MS);
    (timer as { unref?: () => void }).unref?.();
  }

  /** Writes the buffered lines with one write(2); throws on a write error (ENOSPC, EIO). */
  flush(): void {
    dirty.delete(this);
    if (this.pendingError) {
      const error = this.pendingError;
      this.pendingError = undefined;
      throw new Error(`Failed to write ${this.path}: ${error.message}`, { cause: error });
    }
    const tail = this.tail;
    if (tail === 0) return;
    const ctl = this.ctl;
    lock(ctl);
    try {
      // What the flusher thread already wrote starts at 0 and ends at HEAD.
      const head = Atomics.load(ctl, HEAD);
      this.tail = 0;
      this.kickedAt = -1;
      Atomics.store(ctl, TAIL, 0);
      Atomics.store(ctl, HEAD, 0);
      Atomics.store(ctl, FAILED, 0);
      // On a write error the lines are dropped (the error is surfaced; see RELIABILITY.md).
      if (head < tail) this.writeOut(this.chunk.subarray(head, tail));
      this.written += tail;
    } finally {
      unlock(ctl);
    }
  }

  private writeOut(data: Buffer): void {
    this.lastWriteAt = Date.now();
    let off = 0;
    try {
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    } catch (error) {
      throw new Error(`Failed to write ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.fd >= 0) {
        lock(this.ctl);
        try {
          Atomics.store(this.ctl, FD, -1);
          closeSync(this.fd);
        } finally {
          this.fd = -1;
          unlock(this.ctl);
        }
      }
      open.delete(this);
      dirty.delete(this);
    }
  }
}

function lastByte(path: string, size: number): number {
  const last = Buffer.alloc(1);
  const rfd = openSync(path, "r");
  try {
    readSync(rfd, last, 0, 1, size - 1);
  } finally {
    closeSync(rfd);
  }
  return last[0]!;
}

/**
 * True when the file ends in a partial line left by a crashed writer. A live writer in the
 * middle of a large write also leaves the file without a final newline for a moment (reads
 * do not wait for the write), and on a loaded machine that moment can last well over 20 ms,
 * so a missing newline only counts when the size holds still for 250 ms (any growth starts
 * the wait again, for 2 s at most); otherwise we would add blank lines under load. Only a
 * file that does not end in a newline pays this wait: after a crash, once.
 */
function endsTorn(path: string, fd: number): boolean {
  let size = fstatSync(fd).size;
  if (size === 0 || lastByte(path, size) === 0x0a) return false;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 2000;
  let stableSince = Date.now();
  while (Date.now() - stableSince < 250 && Date.now() < deadline) {
    Atomics.wait(pause, 0, 0, 25);
    const now = fstatSync(fd).size;
    if (now !== size) {
      if (lastByte(path, now) === 0x0a) return false;
      size = now;
      stableSince = Date.now();
    }
  }
  return lastByte(path, size) !== 0x0a;
}

export interface ReadOptions {
  /** Called once per file when lines were skipped; default: a consola warning. */
  onSkipped?: (path: string, lines: number[]) => void;
}

function warnSkipped(path: string, lines: number[]) {
  const shown = lines.slice(0, 5).join(", ") + (lines.length > 5 ? `, … (${lines.length} in all)` : "");
  // Plain stderr, not consola: the store is on every command's load path, consola is not.
  process.stderr.write(`[warn] Skipped ${lines.length === 1 ? "a line that does" : "lines that do"} not parse in ${path}: line ${shown}\n`);
}

/**
 * Calls `onLine` with the text of each non-empty line of a JSONL file, streaming in 1 MiB
 * chunks. Returns false when the file does not exist.
 */
export function forEachLine(path: string, onLine: (text: string, lineNo: number) => void): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new Error(`Failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const chunk = Buffer.allocUnsafe(1 << 20);
  const decoder = new TextDecoder();
  let rest = "";
  let lineNo = 0;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      const text = n > 0 ? rest + decoder.decode(chunk.subarray(0, n), { stream: true }) : rest + decoder.decode();
      let start = 0;
      let nl = text.indexOf("\n");
      while (nl !== -1) {
        lineNo++;
        if (nl > start) onLine(text.slice(start, nl), lineNo);
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      rest = text.slice(start);
      if (n === 0) break;
    }
    if (rest.length > 0) onLine(rest, ++lineNo);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Calls `onRecord` for every record of a JSONL file; lines that do not parse are skipped
 * with one warning for the file. Returns the number of records read.
 *
 * @example
 * readJsonl("run.jsonl", (r) => console.log(r.event_type));
 */
export function readJsonl<T = Record<string, unknown>>(
  path: string,
  onRecord: (record: T, lineNo: number) => void,
  options: ReadOptions = {},
): number {
  const skipped: number[] = [];
  let count = 0;
  forEachLine(path, (text, lineNo) => {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      skipped.push(lineNo);
      return;
    }
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      skipped.push(lineNo);
      return;
    }
    count++;
    onRecord(record as T, lineNo);
  });
  if (skipped.length > 0) (options.onSkipped ?? warnSkipped)(path, skipped);
  return count;
}

/** All records of a JSONL file as an array (empty when the file does not exist). */
export function readJsonlAll<T = Record<string, unknown>>(path: string, options?: ReadOptions): T[] {
  const out: T[] = [];
  readJsonl<T>(path, (r) => out.push(r), options);
  return out;
}
