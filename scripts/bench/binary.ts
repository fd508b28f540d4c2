/**
 * The binary's build flags (issue 11): size, `--help` start-up and a trial `run` start-up
 * of the binary compiled with and without `--minify`, `--bytecode` and an embedded source
 * map, each against the shipped choice (COMPILE_FLAGS: minify + bytecode, no source map)
 * measured in the same run, interleaved round by round so machine load hits all alike.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunBuild, COMPILE_FLAGS } from "../build";
import { median, report, timeCommand as time } from "./harness";

const BASE = COMPILE_FLAGS.filter((f) => f !== "--minify" && f !== "--bytecode");
const VARIANTS: Record<string, string[]> = {
  "minify+bytecode (shipped)": ["--minify", "--bytecode"],
  "minify+bytecode+sourcemap": ["--minify", "--bytecode", "--sourcemap"],
  "bytecode, no minify": ["--bytecode"],
  "minify, no bytecode": ["--minify"],
  "neither": [],
};

export async function benchBinary(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-bin-"));
  try {
    const exes: Record<string, string> = {};
    for (const [name, flags] of Object.entries(VARIANTS)) {
      const exe = join(dir, `v${Object.keys(exes).length}`);
      bunBuild("commands/cli.ts", exe, [...BASE, ...flags], true);
      exes[name] = exe;
    }
    const work = join(dir, "project");
    spawnSync("mkdir", ["-p", work]);
    spawnSync(exes["minify+bytecode (shipped)"]!, ["init", "--project-name", "bench"], { cwd: work });
    writeFileSync(join(work, "t.ts"), 'import { experiment, metric } from "scryptorum";\nexport const t = experiment("t")(() => metric("x")(() => 1)());\n');
    const help: Record<string, number[]> = {};
    const run: Record<string, number[]> = {};
    for (let round = 0; round < 9; round++) {
      for (const [name, exe] of Object.entries(exes)) {
        (help[name] ??= []).push(time([exe, "--help"], work));
        (run[name] ??= []).push(time([exe, "run", "t", "-s", "t.ts"], work));
      }
    }
    const shipped = "minify+bytecode (shipped)";
    const base = { size: statSync(exes[shipped]!).size, help: median(help[shipped]!.slice(2)), run: median(run[shipped]!.slice(2)) };
    for (const name of Object.keys(exes)) {
      const size = statSync(exes[name]!).size;
      const h = median(help[name]!.slice(2));
      const r = median(run[name]!.slice(2));
      report({ name: `size: ${name}`, value: size / 2 ** 20, unit: "MiB", baseline: shipped, ratio: size / base.size });
      report({ name: `--help: ${name}`, value: h, unit: "ms", baseline: shipped, ratio: h / base.help });
      report({ name: `trial run: ${name}`, value: r, unit: "ms", baseline: shipped, ratio: r / base.run });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
