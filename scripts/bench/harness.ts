/** Tiny benchmark harness: median of several timed rounds, ratios against a baseline. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** The CPU's model name as /proc/cpuinfo gives it (else what os.cpus() says). */
export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? "unknown CPU";
}

/** The 1/5/15-minute load averages, for the record: on a shared machine they explain the spread. */
export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
  target?: string;
  ok?: boolean;
}

/** Median ns per op of `fn`, called `ops` times per round, over `rounds` rounds (after warm-up). */
export function nsPerOp(fn: (i: number) => void, ops: number, rounds = 7): number {
  for (let i = 0; i < Math.min(ops, 2000); i++) fn(i);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < ops; i++) fn(i);
    samples.push((Bun.nanoseconds() - t0) / ops);
  }
  return median(samples);
}

/**
 * Median ns per op of several functions measured in interleaved rounds (a, b, c, a, b, c…),
 * so drift in machine load hits every variant alike and ratios stay meaningful.
 */
export function interleaved<K extends string>(fns: Record<K, (i: number) => void>, ops: number, rounds = 9): Record<K, number> {
  const keys = Object.keys(fns) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const k of keys) for (let i = 0; i < Math.min(ops, 5000); i++) fns[k](i);
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const fn = fns[k];
      const t0 = Bun.nanoseconds();
      for (let i = 0; i < ops; i++) fn(i);
      samples[k].push((Bun.nanoseconds() - t0) / ops);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, number>;
}

/** Async variant of `interleaved`: each op awaited in turn. */
export async function interleavedAsync<K extends string>(fns: Record<K, (i: number) => Promise<unknown>>, ops: number, rounds = 9): Promise<Record<K, number>> {
  const keys = Object.keys(fns) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const k of keys) for (let i = 0; i < Math.min(ops, 5000); i++) await fns[k](i);
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const fn = fns[k];
      const t0 = Bun.nanoseconds();
      for (let i = 0; i < ops; i++) await fn(i);
      samples[k].push((Bun.nanoseconds() - t0) / ops);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, number>;
}

/** Median ns per op for an async op, run sequentially. */
export async function nsPerOpAsync(fn: (i: number) => Promise<unknown>, ops: number, rounds = 7): Promise<number> {
  for (let i = 0; i < Math.min(ops, 2000); i++) await fn(i);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < ops; i++) await fn(i);
    samples.push((Bun.nanoseconds() - t0) / ops);
  }
  return median(samples);
}

/** Median wall time in ms of `fn` over `rounds` rounds. */
export async function msPerRun(fn: () => unknown, rounds = 5): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const figures: Figure[] = [];

export function report(f: Figure): void {
  figures.push(f);
  const ratio = f.ratio !== undefined ? `  ${f.ratio.toFixed(2)}x ${f.baseline}` : f.baseline ? `  (baseline ${f.baseline})` : "";
  const target = f.target ? `  target ${f.target}: ${f.ok ? "met" : "NOT met"}` : "";
  console.log(`${f.name.padEnd(58)} ${fmt(f.value).padStart(10)} ${f.unit}${ratio}${target}`);
}

export function allFigures(): Figure[] {
  return figures;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Wall time of one command run to its end, in ms (stdout dropped); throws when it fails. */
export function timeCommand(cmd: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr}`);
  return ms;
}
