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
 * The thread sleeps on one process-wide word (`wake`) that a writer bumps when its buffer
 * goes from empty to not empty while the thread is idle, so an idle process costs nothing.
 * Waking a thread costs the writer tens of µs (measured), so the hot path avoids it: for
 * LINGER_MS after it last found lines the thread looks every POLL_MS instead of sleeping;
 * while lines come fast (a hot loop of timers) its ticks are 1 ms, or none when 32 KiB wait;
 * and a writer with 128 KiB unwritten ends a long tick early (`kickFlusher`). So the write(2)
 * happens on this thread rather than the logging one. Its source is a string
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
/** The process-wide words the flusher waits on: bumped when a buffer goes from empty to not empty, */
const WAKE = 0;
/** bumped when a writer wants a write now, */
const KICK = 1;
/** 1 while the flusher waits out a tick (a kick then ends it), */
const TICKING = 2;
/** 1 while the flusher is (about to be) idle (a WAKE then starts it). */
const IDLE = 3;
/** 1 once the flusher runs and has read the buffers handed to it before it started. */
const READY = 4;
/** Unwritten bytes past which the flusher writes without waiting for a tick. */
const BUSY_BYTES = 32 * 1024;
/** A round that wrote this much makes the next tick FAST_TICK_MS: lines come fast. */
const FAST_BYTES = 16 * 1024;
const FAST_TICK_MS = 1;
/** After lines, the flusher looks every POLL_MS for LINGER_MS before it sleeps until woken. */
const POLL_MS = 10;
const LINGER_MS = 250;
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
  if (Atomics.load(c, ${FAILED}) !== 0 || Atomics.load(c, ${FD}) < 0) return 0;
  return Atomics.load(c, ${TAIL}) - Atomics.load(c, ${HEAD});
}
function scan() {
  let bytes = 0;
  for (const [id, r] of rings) {
    if (Atomics.load(r.ctl, ${FD}) < 0) rings.delete(id);
    else bytes = Math.max(bytes, pending(r));
  }
  return bytes;
}
let lastLines = 0; // Date.now() when lines were last found
let fast = false; // the last round wrote many lines: they come fast
for (;;) {
  let m;
  while ((m = receiveMessageOnPort(port))) {
    const { id, sab } = m.message;
    rings.set(id, { ctl: new Int32Array(sab, 0, ${HEADER_BYTES / 4}), data: new Uint8Array(sab, ${HEADER_BYTES}) });
  }
  Atomics.store(wake, ${READY}, 1);
  let bytes = scan();
  if (bytes === 0) {
    fast = false;
    // Lines came lately: look again soon rather than sleep until woken (waking a thread
    // costs the writer tens of µs, measured). After LINGER_MS without lines, sleep.
    if (Date.now() - lastLines < ${LINGER_MS}) {
      Atomics.wait(wake, ${KICK}, Atomics.load(wake, ${KICK}), ${POLL_MS});
      continue;
    }
    // Idle: a writer whose buffer goes from empty to not empty wakes us. It publishes its
    // lines before it reads IDLE, and we set IDLE before we look again, so one of the two
    // always sees the other.
    Atomics.store(wake, ${IDLE}, 1);
    const seen = Atomics.load(wake, ${WAKE});
    if (scan() === 0) Atomics.wait(wake, ${WAKE}, seen);
    Atomics.store(wake, ${IDLE}, 0);
    continue;
  }
  lastLines = Date.now();
  // Let lines gather for a tick (a short one while they come fast), unless there are many
  // already (then write at once: the write(2) stays on this thread) or a writer asks for a
  // write now (its buffer is filling).
  if (bytes < ${BUSY_BYTES}) {
    const kicked = Atomics.load(wake, ${KICK});
    Atomics.store(wake, ${TICKING}, 1);
    Atomics.wait(wake, ${KICK}, kicked, fast ? ${FAST_TICK_MS} : ${TICK_MS});
    Atomics.store(wake, ${TICKING}, 0);
  }
  let wrote = 0;
  for (const [id, r] of rings) {
    const n = pending(r);
    if (n !== 0) {
      drain(id, r);
      wrote += n;
    }
  }
  fast = wrote >= ${FAST_BYTES};
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
    const wake = new Int32Array(new SharedArrayBuffer(32)); // WAKE, KICK, TICKING, IDLE, READY

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

/**
 * Whether the flusher thread runs yet. Starting it takes ~50 ms of CPU, and seconds on a
 * loaded machine: until then a writer writes each line through (jsonl.ts), or a burst
 * followed by a blocked event loop would wait for a thread that has not started.
 */
export function flusherReady(): boolean {
  const f = flusher;
  return f !== undefined && Atomics.load(f.wake, READY) === 1;
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
  // Always woken for a new buffer (the message is read before the next look at the buffers).
  Atomics.add(f.wake, WAKE, 1);
  Atomics.notify(f.wake, WAKE, 1);
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
  // Only an idle flusher needs waking; a busy one finds the lines on its next look.
  if (Atomics.load(f.wake, IDLE) === 1) {
    Atomics.add(f.wake, WAKE, 1);
    Atomics.notify(f.wake, WAKE, 1);
  }
  return true;
}

/**
 * Asks the flusher to write now rather than at the end of its tick (a writer's buffer holds
 * many unwritten lines: the write(2) then happens on the flusher thread, not the logging one).
 * Only while it waits out a tick: a notify costs tens of µs when it wakes a thread (measured),
 * so none is sent while the flusher is writing anyway. True when it was asked.
 */
export function kickFlusher(): boolean {
  const f = flusher;
  if (!f || Atomics.load(f.wake, TICKING) !== 1) return false;
  Atomics.add(f.wake, KICK, 1);
  Atomics.notify(f.wake, KICK, 1);
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
