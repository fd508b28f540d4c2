/**
 * The npm launcher's cost (issue 11): `--version` and a trial `run` through
 * `node_modules/.bin/scryptorum` (Node starts, finds @scryptorum/cli-<platform> with
 * require.resolve, spawns the binary) against the binary started directly, and the Node
 * build (`node dist/cli.mjs`, what runs where no binary is published), interleaved round by
 * round in the same run. The layout is npm's, with the platform package linked to dist/ and
 * the dependencies to this repository's node_modules.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, BINARY, HOST_TARGET } from "../build";
import { mainManifest } from "../npm-packages";
import { PLATFORM_PACKAGES } from "../../src/npm/platform";
import { median, report, timeCommand as time } from "./harness";

export async function benchLauncher(): Promise<void> {
  await build({ quiet: true });
  const root = join(import.meta.dir, "..", "..");
  const pkg = PLATFORM_PACKAGES.find((p) => p.target === HOST_TARGET);
  if (!pkg) throw new Error(`no npm platform package for ${HOST_TARGET}`);
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-npm-"));
  try {
    const main = join(dir, "node_modules", "scryptorum");
    mkdirSync(join(main, "dist"), { recursive: true });
    for (const f of ["launcher.mjs", "cli.mjs"]) copyFileSync(join(root, "dist", f), join(main, "dist", f));
    symlinkSync(join(root, "dist", "lib"), join(main, "dist", "lib"));
    writeFileSync(join(main, "package.json"), JSON.stringify(mainManifest(JSON.parse(await Bun.file(join(root, "package.json")).text()))));
    const platformDir = join(dir, "node_modules", pkg.name);
    mkdirSync(platformDir, { recursive: true });
    writeFileSync(join(platformDir, "package.json"), JSON.stringify({ name: pkg.name, version: "0.0.0" }));
    symlinkSync(BINARY, join(platformDir, pkg.exe));
    // The library's dependencies (the Node build imports them), linked from this repository.
    for (const e of readdirSync(join(root, "node_modules"))) {
      if (!e.startsWith(".") && !existsSync(join(dir, "node_modules", e))) symlinkSync(join(root, "node_modules", e), join(dir, "node_modules", e));
    }
    const work = join(dir, "project");
    mkdirSync(work);
    spawnSync(BINARY, ["init", "--project-name", "bench"], { cwd: work });
    writeFileSync(join(work, "t.ts"), 'import { experiment, metric } from "scryptorum";\nexport const t = experiment("t")(() => metric("x")(() => 1)());\n');
    const ways: Record<string, string[]> = {
      "binary directly": [BINARY],
      "npm launcher -> binary": ["node", join(main, "dist", "launcher.mjs")],
      "Node build (no binary)": ["node", join(main, "dist", "cli.mjs")],
    };
    const version: Record<string, number[]> = {};
    const run: Record<string, number[]> = {};
    for (let round = 0; round < 9; round++) {
      for (const [name, cmd] of Object.entries(ways)) {
        (version[name] ??= []).push(time([...cmd, "--version"], work));
        (run[name] ??= []).push(time([...cmd, "run", "t", "-s", "t.ts"], work));
      }
    }
    const base = "binary directly";
    const v0 = median(version[base]!.slice(2));
    const r0 = median(run[base]!.slice(2));
    for (const name of Object.keys(ways)) {
      const v = median(version[name]!.slice(2));
      const r = median(run[name]!.slice(2));
      report({ name: `--version: ${name}`, value: v, unit: "ms", baseline: base, ratio: v / v0 });
      report({ name: `trial run: ${name}`, value: r, unit: "ms", baseline: base, ratio: r / r0 });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
