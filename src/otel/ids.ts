/**
 * Stable OpenTelemetry ids for a run: exporting the same run twice sends the same trace and
 * span ids, so a backend can de-duplicate; two trials of one experiment (same run id
 * `trial_run`) differ by their start time.
 */
import * as crypto from "node:crypto";

// One-shot crypto.hash (Bun, Node 21.7+) is about 3x cheaper than createHash for short input.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256 = oneShot ? (text: string) => oneShot("sha256", text, "hex") : (text: string) => crypto.createHash("sha256").update(text).digest("hex");

const hex = (text: string, chars: number): string => {
  const h = sha256(text).slice(0, chars);
  // An all-zero id is invalid in OTLP; a sha256 prefix of zeros is astronomically unlikely, but cheap to rule out.
  return /^0+$/.test(h) ? `${h.slice(0, -1)}1` : h;
};

/**
 * The trace id (32 hex digits) of a run: a hash of project, experiment, run id and start.
 *
 * @example
 * traceIdOf({ project: "demo", experiment: "qa", run_id: "v1", started_at: "2026-01-01T12:00:00.000Z" });
 */
export function traceIdOf(run: { project: string; experiment: string; run_id: string; started_at: string }): string {
  return hex(`scryptorum\u0000${run.project}\u0000${run.experiment}\u0000${run.run_id}\u0000${run.started_at}`, 32);
}

/** The state of a two-lane multiply-xorshift string hash (cyrb53's mixing, both lanes kept): 64 bits. */
type Lanes = [number, number];

function absorb(lanes: Lanes, text: string): Lanes {
  let [h1, h2] = lanes;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return [h1, h2];
}

function finish([h1, h2]: Lanes): string {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hi = (h2 >>> 0).toString(16).padStart(8, "0");
  const lo = (h1 >>> 0).toString(16).padStart(8, "0");
  // An all-zero id is invalid in OTLP.
  return hi === "00000000" && lo === "00000000" ? "0000000000000001" : hi + lo;
}

const SEED: Lanes = [0xdeadbeef, 0x41c6ce57];
// The state after a trace id's prefix, per trace: span ids of one run hash only their own few characters.
let lastTrace = "";
let lastPrefix: Lanes = SEED;

/**
 * The span id (16 hex digits) of a record's `span_id` in a trace; `null` names the run's root
 * span. Not a cryptographic hash (ids only need to be stable and distinct, and a run may have
 * a million spans): the trace id it mixes in is one.
 *
 * @example
 * spanIdOf(traceId, "3f9c2a10-17"); // "9b1e…" (16 hex digits)
 */
export function spanIdOf(traceId: string, spanId: string | null): string {
  if (spanId === null) return finish(absorb(SEED, `${traceId}\u0000root`));
  if (traceId !== lastTrace) {
    lastPrefix = absorb(SEED, `${traceId}\u0000span\u0000`);
    lastTrace = traceId;
  }
  return finish(absorb(lastPrefix, spanId));
}
