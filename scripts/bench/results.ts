/**
 * `show` and `compare` of two runs, each holding 1,000,000 metric lines and 100,000 LLM
 * calls, against a floor measured in the same run: reading and JSON-parsing every line of
 * the same files (target <= 1.5x). With dist/scryptorum present, the whole command too.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachLine } from "../../src/core/jsonl";
import { runFiles } from "../../src/core/layout";
import { Experiment, Project } from "../../src/index";
import { compareReports } from "../../src/read/compare";
import { readRunReport } from "../../src/read/summary";
import { median, report } from "./harness";

const METRIC_LINES = 1_000_000;
const LLM_CALLS = 100_000;
const METRIC_NAMES = ["loss", "accuracy", "f1", "precision", "recall", "latency_ms", "reward", "kl", "lr", "grad_norm"];
const BINARY = join(import.meta.dir, "../../dist/scryptorum");

function buildRun(exp: Experiment, id: string, cwd: string, shift: number): string {
  const run = exp.createRun("milestone", id, { cwd });
  for (let i = 0; i < METRIC_LINES; i++) {
    run.logMetric(METRIC_NAMES[i % METRIC_NAMES.length]!, Math.sin(i + shift) * 0.5 + 0.5, "custom", { step: Math.floor(i / METRIC_NAMES.length) });
  }
  const question = "Summarise the following support ticket in one sentence: ".padEnd(300, "lorem ipsum ");
  for (let i = 0; i < LLM_CALLS; i++) {
    run.logLlmCall({
      model: i % 10 === 0 ? "gpt-4o" : "gpt-4o-mini",
      input: `${question} #${i}`,
      output: `The customer reports issue ${i} and asks for a refund.`.padEnd(150, "."),
      durationMs: 200 + ((i * 7919 + shift) % 1800),
      usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 },
      costUsd: 0.00012,
      case: `case-${i}`,
    });
  }
  run.finish();
  return run.dir;
}

/** The floor: read every line of a run's files and JSON.parse it (the faster of two readers). */
function floorStream(dir: string): number {
  const f = runFiles(dir);
  let n = JSON.parse(readFileSync(f.run, "utf8")) ? 1 : 0;
  for (const p of [f.metrics, f.timings, f.events]) forEachLine(p, (t) => void (JSON.parse(t) && n++));
  return n;
}
function floorWhole(dir: string): number {
  const f = runFiles(dir);
  let n = JSON.parse(readFileSync(f.run, "utf8")) ? 1 : 0;
  for (const p of [f.metrics, f.timings, f.events]) {
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, "utf8").split("\n")) if (line) n += JSON.parse(line) ? 1 : 0;
  }
  return n;
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function command(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(BINARY, args, { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`scryptorum ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function benchResults(rounds = 5): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-results-"));
  try {
    const project = Project.init(dir, { name: "bench", gitignore: false });
    const exp = new Experiment(project, "results");
    const t0 = performance.now();
    const a = buildRun(exp, "a", dir, 0);
    const b = buildRun(exp, "b", dir, 1);
    const mb = [a, b].reduce((s, d) => s + ["metrics", "events"].reduce((x, k) => x + statSync(runFiles(d)[k as "metrics" | "events"]).size, 0), 0) / 2 ** 20;
    console.log(`built 2 runs x (${METRIC_LINES.toLocaleString("en-US")} metrics + ${LLM_CALLS.toLocaleString("en-US")} LLM calls), ${mb.toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)}s`);

    // Interleaved rounds (floor, show, compare…) so machine load hits every figure alike.
    const s = { stream: [] as number[], whole: [] as number[], show: [] as number[], compare: [] as number[], cmdShow: [] as number[], cmdCompare: [] as number[] };
    const withBinary = existsSync(BINARY) && spawnSync(BINARY, ["show", "--help"], { stdio: "ignore" }).status === 0;
    for (let r = 0; r < rounds + 1; r++) {
      const round = {
        stream: time(() => floorStream(a)),
        whole: time(() => floorWhole(a)),
        show: time(() => readRunReport(a)),
        compare: time(() => compareReports([readRunReport(a), readRunReport(b)])),
        cmdShow: withBinary ? command(["show", "results", "a", "--project-root", project.root], dir) : 0,
        cmdCompare: withBinary ? command(["compare", "results", "a", "b", "--project-root", project.root], dir) : 0,
      };
      if (r === 0) continue; // warm-up: page cache and JIT
      for (const k of Object.keys(s) as (keyof typeof s)[]) s[k].push(round[k]);
    }
    const floor = Math.min(median(s.stream), median(s.whole));
    const show = median(s.show);
    const compare = median(s.compare);
    report({ name: "floor: read + JSON.parse one run (streamed)", value: median(s.stream), unit: "ms" });
    report({ name: "floor: read + JSON.parse one run (whole file)", value: median(s.whole), unit: "ms" });
    report({ name: "show (readRunReport) of one run", value: show, unit: "ms", baseline: "floor", ratio: show / floor, target: "<= 1.5x", ok: show / floor <= 1.5 });
    report({ name: "compare (2 reports + compareReports) of two runs", value: compare, unit: "ms", baseline: "2x floor", ratio: compare / (2 * floor), target: "<= 1.5x", ok: compare / (2 * floor) <= 1.5 });
    if (withBinary) {
      const cs = median(s.cmdShow);
      const cc = median(s.cmdCompare);
      report({ name: "scryptorum show (binary, whole process)", value: cs, unit: "ms", baseline: "floor", ratio: cs / floor, target: "<= 1.5x", ok: cs / floor <= 1.5 });
      report({ name: "scryptorum compare (binary, whole process)", value: cc, unit: "ms", baseline: "2x floor", ratio: cc / (2 * floor), target: "<= 1.5x", ok: cc / (2 * floor) <= 1.5 });
    } else {
      console.log("dist/scryptorum missing or without `show`: build it (bun run build) to time the whole command");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchResults();
