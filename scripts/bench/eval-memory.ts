/**
 * Datasets stream (issue 14): the peak memory (the process's own max RSS) of `scryptorum run` evaluating a
 * dataset file, against the same with a file 10 times smaller, same run of the bench. Two
 * shapes: many small cases (where the per-case bookkeeping, ids and hashes, shows) and
 * large cases (20 KB each, where reading the file whole would show). The binary, a trial
 * run, concurrency 8, a task that returns at once, one exact-match scorer, `results` not
 * touched.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, BINARY } from "../build";
import { report } from "./harness";

/** `n` cases, each with a `field`-byte text field, written a MiB at a time (also used by test/e2e/eval-stream.test.ts). */
export function writeDataset(file: string, n: number, field: number): void {
  const pad = "x".repeat(field);
  const fd = openSync(file, "w");
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += `${JSON.stringify({ id: `c${i}`, input: { q: i, text: pad }, expected: String(i) })}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

/** Peak RSS (MB) and wall time (ms) of one eval of `cases` cases with a `field`-byte field. */
async function peak(dir: string, cases: number, field: number): Promise<{ mb: number; ms: number }> {
  const exp = join(dir, "experiments", "b", "experiments", "big");
  mkdirSync(join(exp, "data"), { recursive: true });
  writeDataset(join(exp, "data", "big.jsonl"), cases, field);
  const t0 = performance.now();
  const proc = Bun.spawn([BINARY, "run", "big", "-m", "eval.ts"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", SCRYPTORUM_PROGRESS: "0", N: String(cases) }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`the eval of ${cases} cases failed: ${stderr}`);
  const kb = JSON.parse(stdout.split("\n").find((l) => l.startsWith('{"maxRssKb"'))!).maxRssKb;
  return { mb: (kb * 1024) / 2 ** 20, ms: performance.now() - t0 };
}

export async function benchEvalMemory(): Promise<void> {
  await build({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-evalmem-"));
  try {
    if (Bun.spawnSync([BINARY, "init", "--project-name", "b"], { cwd: dir }).exitCode !== 0) throw new Error("init failed");
    writeFileSync(
      join(dir, "eval.ts"),
      `import { dataset, evaluate, exactMatch } from "scryptorum";
export default async function main() {
  const { summary } = await evaluate({ data: dataset("big"), task: (input: { q: number }) => String(input.q), scores: { exact: exactMatch() }, concurrency: 8 });
  if (summary.ran !== Number(process.env.N) || summary.scores.exact!.mean !== 1) throw new Error("not every case ran");
  // This process's own peak: VmHWM (rusage's maxRSS carries a larger parent's peak over fork and exec).
  console.log(JSON.stringify({ maxRssKb: Number(/VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))![1]) }));
}
`,
    );
    for (const [label, small, field] of [["small cases (~60 B)", 20_000, 20], ["20 KB cases", 300, 20_000]] as const) {
      const a = await peak(dir, small, field);
      const b = await peak(dir, small * 10, field);
      report({ name: `eval peak RSS, ${small.toLocaleString("en")} ${label}`, value: a.mb, unit: "MB" });
      report({ name: `eval peak RSS, ${(small * 10).toLocaleString("en")} ${label}`, value: b.mb, unit: "MB", ratio: b.mb / a.mb, baseline: "10x fewer" });
      report({ name: `  … wall time, ${(small * 10).toLocaleString("en")} ${label}`, value: b.ms, unit: "ms" });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
