/**
 * The flusher thread: writes buffered JSONL lines to disk while the logging thread is busy.
 *
 * Why a thread: a process that logs a burst and then blocks its event loop (a long
 * synchronous computation) never runs a timer, so without one the burst would sit in memory
 * and a SIGKILL during the block would lose it (the contract says a record logged more than
 * 200 ms before a SIGKILL is on disk). Writing every record at once would cost a syscall per
 * event on the hot path instead.
 *
 * How: each JsonlWriter encodes its lines into a SharedArrayBuffer. Its first 32 bytes are
 * Int32 control words (a lock, the written and the filled offsets, the file descriptor, a
 * failure flag); the lines follow. The logging thread only ever appends and advances TAIL;
 * whoever writes to disk (this thread every TICK_MS while anything is buffered, or the
 * logging thread on flush()/finish()/signals/exit or a full buffer) holds the lock, writes
 * [HEAD, TAIL) with one write(2) on the O_APPEND descriptor and advances HEAD. So lines reach
 * the file whole and in order, once. Only the logging thread resets the offsets to 0 and
 * closes the descriptor, both under the lock, so this thread never writes to a closed or
 * reused descriptor.
 *
 * The thread waits on one process-wide word (`wake`) that a writer bumps when its buffer
 * goes from empty to not empty, so an idle process costs nothing. A writer whose buffer holds
 * many unwritten lines (a hot loop of timers) bumps a second word (`kickFlusher`) to end the
 * tick early, so the write(2) stays on this thread rather than the logging one. Its source is a string
 * evaluated as a Worker (no file to find at run time, so the compiled binary and the Node
 * build need nothing embedded), and it is unref'd: it never keeps a process alive.
 */
import { MessageChannel, Worker } from "node:worker_threads";

/** Control words at the start of each writer's SharedArrayBuffer. */
export const LOCK = 0;
export const HEAD = 1;
export const TAIL = 2;
export const FD = 3;
export const FAILED = 4;
export const HEADER_BYTES = 32;
/** How long the flusher lets lines gather before writing them. */
export const TICK_MS = 50;

const source = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const wake = new Int32Array(workerData.wake);
const port = workerData.port;
const rings = new Map();
function drain(id, r) {
  const c = r.ctl;
  while (Atomics.compareExchange(c, ${LOCK}, 0, 1) !== 0) Atomics.wait(c, ${LOCK}, 1, 5);
  try {
    const fd = Atomics.load(c, ${FD});
    if (fd < 0) return void rings.delete(id);
    let head = Atomics.load(c, ${HEAD});
    const tail = Atomics.load(c, ${TAIL});
    try {
      while (head < tail) head += writeSync(fd, r.data, head, tail - head);
    } catch {
      // ENOSPC, EIO...: leave the rest to the logging thread, whose next flush reports it.
      Atomics.store(c, ${FAILED}, 1);
    }
    Atomics.store(c, ${HEAD}, head);
  } finally {
    Atomics.store(c, ${LOCK}, 0);
    Atomics.notify(c, ${LOCK});
  }
}
function pending(r) {
  const c = r.ctl;
  return Atomics.load(c, ${FAILED}) === 0 && Atomics.load(c, ${FD}) >= 0 && Atomics.load(c, ${HEAD}) !== Atomics.load(c, ${TAIL});
}
for (;;) {
  let m;
  while ((m = receiveMessageOnPort(port))) {
    const { id, sab } = m.message;
    rings.set(id, { ctl: new Int32Array(sab, 0, ${HEADER_BYTES / 4}), data: new Uint8Array(sab, ${HEADER_BYTES}) });
  }
  const seen = Atomics.load(wake, 0);
  const kicked = Atomics.load(wake, 1);
  let any = false;
  for (const [id, r] of rings) {
    if (Atomics.load(r.ctl, ${FD}) < 0) rings.delete(id);
    else if (pending(r)) any = true;
  }
  if (!any) {
    Atomics.wait(wake, 0, seen);
    continue;
  }
  // Let lines gather for a tick, unless a writer asks for a write now (its buffer is filling).
  Atomics.wait(wake, 1, kicked, ${TICK_MS});
  for (const [id, r] of rings) if (pending(r)) drain(id, r);
}
`;

interface Flusher {
  wake: Int32Array;
  post: (id: number, sab: SharedArrayBuffer) => void;
}

let flusher: Flusher | undefined;
let failed = false;
let nextId = 1;

function start(): Flusher | undefined {
  if (failed) return undefined;
  if (flusher) return flusher;
  try {
    // [0]: bumped when a buffer goes from empty to not empty; [1]: when one wants a write now.
    const wake = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(source, {
      eval: true,
      name: "scryptorum-flusher",
      workerData: { wake: wake.buffer, port: port2 },
      transferList: [port2],
    });
    worker.unref();
    port1.unref?.();
    // A flusher that cannot run leaves the writers to their own timers (see jsonl.ts).
    const stop = () => {
      failed = true;
      flusher = undefined;
    };
    worker.on("error", stop);
    worker.on("exit", stop);
    flusher = { wake, post: (id, sab) => port1.postMessage({ id, sab }) };
    return flusher;
  } catch {
    failed = true;
    return undefined;
  }
}

/** Whether lines are written by the flusher thread (false: by the writer's own timer). */
export function flusherRunning(): boolean {
  return flusher !== undefined;
}

/**
 * Hands a writer's buffer to the flusher thread, starting it on first use. Returns false
 * when no thread could be started (the writer then flushes on its own timer).
 */
export function register(sab: SharedArrayBuffer, id: number): boolean {
  const f = start();
  if (!f) return false;
  f.post(id, sab);
  return true;
}

/** A fresh id for a writer's buffer. */
export function ringId(): number {
  return nextId++;
}

/** Tells the flusher that a buffer went from empty to not empty. */
export function wakeFlusher(): boolean {
  const f = flusher;
  if (!f) return false;
  Atomics.add(f.wake, 0, 1);
  Atomics.notify(f.wake, 0, 1);
  return true;
}

/**
 * Asks the flusher to write now rather than at the end of its tick (a writer's buffer holds
 * many unwritten lines: the write(2) then happens on the flusher thread, not the logging one).
 */
export function kickFlusher(): boolean {
  const f = flusher;
  if (!f) return false;
  Atomics.add(f.wake, 1, 1);
  Atomics.notify(f.wake, 1, 1);
  return true;
}

/** Takes a buffer's lock (the flusher holds it only for one write(2)). */
export function lock(ctl: Int32Array): void {
  while (Atomics.compareExchange(ctl, LOCK, 0, 1) !== 0) Atomics.wait(ctl, LOCK, 1, 5);
}

export function unlock(ctl: Int32Array): void {
  Atomics.store(ctl, LOCK, 0);
  Atomics.notify(ctl, LOCK);
}
