/**
 * Interleaved rounds with the export work inside the clock: each round runs every variant
 * in turn (a, b, c, a, b, c…), and a variant's round is its calls plus its flush, so a
 * tracker that defers work to a background exporter pays for it here. What a round leaves
 * behind in an in-memory store is dropped after the clock stops, and a full collection runs
 * between variants, also off the clock, so one tracker's garbage is not collected on the
 * next one's time (collections a variant triggers inside its own round stay on its clock).
 */
import { median } from "../../scripts/bench/harness";

export interface Variant {
  /** Calls per round: enough for a round to last milliseconds, few enough to fit queues. */
  ops: number;
  /** One call; returns a Promise when `async`. */
  call: (i: number) => unknown;
  async: boolean;
  /** The tracker's export work for the round (flush, drain, batch upload): timed. */
  flush?: () => unknown;
  /** Untimed clean-up after the round. */
  after?: () => unknown;
}

export interface Samples {
  /** ns per call, one sample per measured round. */
  [variant: string]: number[];
}

let sink: unknown;

/** Runs `warmup` unrecorded rounds, then `rounds` recorded ones; returns every sample. */
export async function interleavedRounds(variants: Record<string, Variant>, rounds: number, warmup = 2): Promise<Samples> {
  const names = Object.keys(variants);
  const samples: Samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const name of names) {
      const v = variants[name]!;
      const t0 = Bun.nanoseconds();
      if (v.async) for (let i = 0; i < v.ops; i++) sink = await v.call(i);
      else for (let i = 0; i < v.ops; i++) sink = v.call(i);
      if (v.flush) await v.flush();
      const ns = (Bun.nanoseconds() - t0) / v.ops;
      if (v.after) await v.after();
      // Untimed: one tracker's garbage is not collected on the next one's clock.
      Bun.gc(true);
      if (r >= warmup) samples[name]!.push(ns);
    }
  }
  if (sink === Symbol.for("never")) console.log("");
  return samples;
}

/** Median of the per-round differences `a - b` (a's overhead over the baseline b, paired by round). */
export function pairedOverhead(a: number[], b: number[]): number {
  return median(a.map((x, i) => x - b[i]!));
}

export { median };
