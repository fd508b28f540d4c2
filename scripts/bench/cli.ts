/**
 * Whole-process figures of the binary, each against a baseline measured in the same run:
 *   - `scryptorum --help` start-up versus a compiled citty hello-world (target <= 1.5x)
 *   - `list-runs` on an experiment with 10,000 runs (target < 150 ms, warm cache)
 *   - a milestone snapshot of a 5,000-file project (target < 1.5 s)
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { build, BINARY } from "../build";
import { Experiment, Project } from "../../src/index";
import { median, report } from "./harness";

function timeCommand(cmd: string[], cwd: string, rounds: number): number {
  const samples: number[] = [];
  for (let i = 0; i < rounds + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr}`);
    if (i >= 2) samples.push(ms); // the first two warm the page cache
  }
  return median(samples);
}

/** Interleaves two commands round by round so machine load hits both alike. */
function timePair(a: string[], b: string[], cwd: string, rounds: number): [number, number] {
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    sa.push(timeCommand(a, cwd, 1));
    sb.push(timeCommand(b, cwd, 1));
  }
  return [median(sa), median(sb)];
}

export async function benchCli(): Promise<void> {
  await build();
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-cli-"));
  try {
    // start-up: a compiled citty hello-world built the same way
    const hello = join(dir, "hello.ts");
    writeFileSync(
      hello,
      `import { defineCommand, runMain } from "citty";
runMain(defineCommand({ meta: { name: "hello", version: "1.0.0", description: "hi" }, args: { name: { type: "string" } }, run: ({ args }) => console.log("hello", args.name ?? "world") }));
`,
    );
    const helloBin = join(dir, "hello");
    const root = join(import.meta.dir, "../..");
    const built = spawnSync(process.execPath, ["build", "--compile", "--minify", hello, "--outfile", helloBin], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_PATH: join(root, "node_modules") } });
    if (built.status !== 0) {
      // resolve citty from our node_modules by building from inside the repo
      const local = join(root, "scripts/bench/.hello-citty.ts");
      writeFileSync(local, await Bun.file(hello).text());
      const again = spawnSync(process.execPath, ["build", "--compile", "--minify", local, "--outfile", helloBin], { cwd: root, encoding: "utf8" });
      rmSync(local, { force: true });
      if (again.status !== 0) throw new Error(`could not build the citty baseline: ${again.stderr}`);
    }
    const [ours, baseline] = timePair([BINARY, "--help"], [helloBin, "--help"], dir, 15);
    report({ name: "citty hello-world --help (compiled), baseline", value: baseline, unit: "ms" });
    report({ name: "scryptorum --help start-up", value: ours, unit: "ms", ratio: ours / baseline, baseline: "citty hello", target: "<= 1.5x", ok: ours / baseline <= 1.5 });

    // list-runs on 10,000 runs: one real milestone-less run made through the API, copied.
    const projectDir = join(dir, "proj");
    mkdirSync(projectDir);
    const project = Project.init(projectDir, { name: "bench", gitignore: false });
    const exp = new Experiment(project, "many");
    const seed = exp.createRun("trial");
    seed.logMetric("accuracy", 0.9, "accuracy");
    seed.logMetric("loss", 0.1, "loss");
    seed.finish();
    for (let i = 0; i < 10_000; i++) {
      const id = `run-${String(i).padStart(5, "0")}`;
      cpSync(seed.dir, join(exp.runsDir, id), { recursive: true });
    }
    rmSync(seed.dir, { recursive: true });
    const listMs = timeCommand([BINARY, "list-runs", "many", "--json"], projectDir, 7);
    const floorMs = timeCommand([BINARY, "--version"], projectDir, 7);
    report({ name: "list-runs --json, 10,000 runs (whole process)", value: listMs, unit: "ms", ratio: listMs / floorMs, baseline: "--version", target: "< 150 ms", ok: listMs < 150 });

    // snapshot of a 5,000-file project (in git), timed in-process
    const src = join(dir, "src5k");
    mkdirSync(src);
    for (let d = 0; d < 50; d++) {
      mkdirSync(join(src, `pkg${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(src, `pkg${d}`, `file${f}.ts`), `export const v${f} = ${d * 100 + f};\n// ${"x".repeat(200)}\n`);
    }
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=b@b", "-c", "user.name=b", ...args], { cwd: src });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "5k");
    const snapProject = Project.init(src, { name: "snap" });
    const snapExp = new Experiment(snapProject, "s");
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const run = snapExp.createRun("milestone", undefined, { cwd: src });
      samples.push(performance.now() - t0);
      run.finish();
    }
    report({ name: "milestone snapshot, 5,000-file project (first)", value: samples[0]!, unit: "ms", target: "< 1500 ms", ok: samples[0]! < 1500 });
    report({ name: "milestone snapshot, 5,000-file project (unchanged, median of next)", value: median(samples.slice(1)), unit: "ms", target: "< 1500 ms", ok: median(samples.slice(1)) < 1500 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchCli();
