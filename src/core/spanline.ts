/**
 * The timer's timing line, encoded straight into the timings writer's buffer: the per-call
 * path of the product (issue 15: within 2x of two clock reads plus appending a prebuilt
 * line). The bytes are exactly what `Run.recordSpan` writes for the same span:
 *
 *   {"timestamp":"<ISO>","run_id":<id>,"operation":<name>,"duration_ms":<ms>,"span_id":"<id>"[,"parent_span_id":"<id>"]}
 *
 * What costs time when the line is built as a string (profiled: a template string, its
 * numbers turned to text, then flattened and UTF-8 encoded into the buffer) is done once
 * instead: the run id and operation name are encoded once per run and timer, the ISO
 * timestamp once per millisecond (its date and time once per second), and the numbers
 * (duration, span ids) are written digit by digit. A span id is never built as a string
 * unless a child asks for its parent's (SpanContext).
 */
import type { JsonlWriter } from "./jsonl";
import type { Run } from "./run";
import { SPAN_PREFIX, SpanContext, runtime, type Context } from "./runtime";
import { isoTimestamp } from "./serialize";

const TIME_ORIGIN = performance.timeOrigin;
const encoder = new TextEncoder();

// `{"timestamp":"` and the timestamp of the last line, rewritten when the millisecond changes.
const STAMP = encoder.encode(`{"timestamp":"0000-00-00T00:00:00.000Z`);
const STAMP_AT = 14;
let stampMs = -1;
let stampSecond = -1;
const SPAN = encoder.encode(`,"span_id":"${SPAN_PREFIX}`);
const PARENT = encoder.encode(`","parent_span_id":"`);
const PARENT_OURS = encoder.encode(`","parent_span_id":"${SPAN_PREFIX}`);
/** Room past the head for all but a foreign parent id: the fixed parts and the digits. */
const FIXED = SPAN.length + PARENT_OURS.length + 3 * 24 + 8;
/** Longer lines (an operation name of many KiB) take the string path. */
const MAX_LINE = 64 * 1024;

/** Puts the timestamp of `ms` (a Date.now() value) in STAMP; false when it is not 24 characters. */
function stamp(ms: number): boolean {
  if (ms === stampMs) return true;
  if (!(ms >= 0)) return false;
  const second = ms - (ms % 1000);
  if (second === stampSecond) {
    const frac = ms - second;
    STAMP[STAMP_AT + 20] = 48 + ((frac / 100) | 0);
    STAMP[STAMP_AT + 21] = 48 + (((frac / 10) | 0) % 10);
    STAMP[STAMP_AT + 22] = 48 + (frac % 10);
  } else {
    const iso = isoTimestamp(ms);
    if (iso.length !== 24) return false; // years past 9999: the string path
    for (let i = 0; i < 24; i++) STAMP[STAMP_AT + i] = iso.charCodeAt(i);
    stampSecond = second;
  }
  stampMs = ms;
  return true;
}

/** Writes `n` (an integer, 0 <= n < 2^53) in decimal at `o`; returns the offset past it. */
function putUint(b: Uint8Array, o: number, n: number): number {
  let end = o + 1;
  if (n < 0x80000000) {
    // Int32 arithmetic: several times cheaper than Math.floor on doubles.
    for (let t = n; t >= 10; t = (t / 10) | 0) end++;
    for (let p = end - 1; p > o; p--) {
      const q = (n / 10) | 0;
      b[p] = 48 + (n - q * 10);
      n = q;
    }
  } else {
    for (let t = n; t >= 10; t = Math.floor(t / 10)) end++;
    for (let p = end - 1; p > o; p--) {
      const q = Math.floor(n / 10);
      b[p] = 48 + (n - q * 10);
      n = q;
    }
  }
  b[o] = 48 + n;
  return end;
}

/** Copies a short constant: a byte loop beats TypedArray#set's call below ~40 bytes. */
function putBytes(b: Uint8Array, o: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) b[o + i] = bytes[i]!;
  return o + n;
}

/** Writes a duration in ms to the microsecond at `o`, as `msJson` (run.ts) formats it. */
function putMs(b: Buffer, o: number, ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 2e9)) return o + b.write(Number.isFinite(us) ? String(us / 1000) : "null", o, "latin1");
  const whole = (us / 1000) | 0;
  let frac = us - whole * 1000;
  o = putUint(b, o, whole);
  if (frac !== 0) {
    b[o++] = 0x2e; // "."
    b[o++] = 48 + ((frac / 100) | 0);
    frac %= 100;
    if (frac !== 0) {
      b[o++] = 48 + ((frac / 10) | 0);
      frac %= 10;
      if (frac !== 0) b[o++] = 48 + frac;
    }
  }
  return o;
}

/**
 * One timer's encoder (one per wrapped function).
 *
 * @example
 * const line = new SpanLine(JSON.stringify("load"));
 * line.write(run, span.n, parentContext, end - start, end);
 */
export class SpanLine {
  private run: Run | undefined = undefined;
  private writer: JsonlWriter | undefined = undefined;
  /** `{"timestamp":"<ISO>","run_id":<id>,"operation":<name>,"duration_ms":` for the current run. */
  private head: Uint8Array = new Uint8Array(0);
  /** The millisecond whose timestamp `head` holds. */
  private headMs = -1;
  private heads: WeakMap<Run, [JsonlWriter, Uint8Array]> | undefined = undefined;

  constructor(private readonly operationJson: string) {}

  /**
   * Appends the timing of span `n` (its id is SPAN_PREFIX + n) that ran for `ms` inside
   * `parent` (the context the timer was called in) and ended at performance.now() `end`.
   * Throws only what the writer throws (a failed write).
   */
  write(run: Run, n: number, parent: Context, ms: number, end: number): void {
    // The wall clock from the end mark the caller already read: one clock read saved.
    const now = Math.floor(TIME_ORIGIN + end);
    let parentN = -1;
    let parentId: string | undefined;
    if (parent instanceof SpanContext) parentN = parent.n;
    else parentId = parent.spanId;
    if (run !== this.run) this.bind(run);
    const head = this.head;
    const room = head.length + FIXED + (parentId === undefined ? 0 : parentId.length * 3);
    // Plugins get each record as an object: the general path builds one.
    if (runtime.plugins.length > 0 || room > MAX_LINE || !stamp(now)) {
      run.recordSpan(this.operationJson, Math.round(ms * 1000) / 1000, SPAN_PREFIX + n, parentId ?? (parentN >= 0 ? SPAN_PREFIX + parentN : undefined), undefined, end);
      return;
    }
    if (this.headMs !== now) {
      for (let i = STAMP_AT; i < STAMP.length; i++) head[i] = STAMP[i]!;
      this.headMs = now;
    }
    const w = this.writer!;
    let o = w.reserve(room);
    if (o < 0) return; // the run this writer belonged to has ended (attachment.ts)
    const b = w.chunk;
    b.set(head, o);
    o = putMs(b, o + head.length, ms);
    o = putUint(b, putBytes(b, o, SPAN), n);
    if (parentN >= 0) {
      o = putUint(b, putBytes(b, o, PARENT_OURS), parentN);
    } else if (parentId !== undefined) {
      o = putBytes(b, o, PARENT);
      o += b.write(parentId, o, "utf8");
    }
    b[o] = 0x22; // "
    b[o + 1] = 0x7d; // }
    b[o + 2] = 0x0a;
    w.commit(o + 3, now);
  }

  /** Encodes the run id and operation once per run (a timer may serve several runs in turn). */
  private bind(run: Run): void {
    this.heads ??= new WeakMap();
    let entry = this.heads.get(run);
    if (entry === undefined) {
      const sink = run.spanSink;
      const head = encoder.encode(`{"timestamp":"0000-00-00T00:00:00.000Z","run_id":${sink.runIdJson},"operation":${this.operationJson},"duration_ms":`);
      entry = [sink.writer, head];
      this.heads.set(run, entry);
    }
    this.run = run;
    this.writer = entry[0];
    this.head = entry[1];
    this.headMs = -1;
  }
}
