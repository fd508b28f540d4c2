/**
 * `bun run build [--all] [--release [--targets linux-x64,...]] [--force]`
 *
 * Builds the standalone binary `dist/scryptorum` and the npm package's files:
 * `dist/lib/index.mjs`, `dist/lib/index.cjs`, `dist/lib/**.d.ts` (the library, for Node 20+
 * and Bun) and `dist/cli.mjs` (the CLI for Node, loading TypeScript with jiti). `--all`
 * also cross-compiles the binary for linux x64/arm64, macOS arm64/x64 and windows x64 and
 * writes `dist/SHA256SUMS`. `--release` writes the release files of CONTRACT.md section 4
 * (scripts/release.ts), then the npm packages into `dist/npm/` (scripts/npm-packages.ts).
 * Skips the work when every output is newer than every source;
 * `--force` rebuilds anyway. Tests call `build()` directly.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");
const DIST = join(ROOT, "dist");
export const BINARY = join(DIST, process.platform === "win32" ? "scryptorum.exe" : "scryptorum");

/** Cross-compilation targets of `--all`: bun's target name and the file it becomes. */
export const TARGETS = [
  { target: "bun-linux-x64", file: "scryptorum-linux-x64" },
  { target: "bun-linux-arm64", file: "scryptorum-linux-arm64" },
  { target: "bun-darwin-arm64", file: "scryptorum-darwin-arm64" },
  { target: "bun-darwin-x64", file: "scryptorum-darwin-x64" },
  { target: "bun-windows-x64", file: "scryptorum-windows-x64.exe" },
] as const;

/**
 * The flags the binary is built with. The user's package.json and tsconfig.json are read at
 * run time (else packages whose entry is not a root index.js fail to resolve); ESM bytecode
 * cuts start-up from ~40 ms to ~14 ms.
 */
export const COMPILE_FLAGS: string[] = [
  "--compile",
  "--minify",
  "--bytecode",
  "--format=esm",
  "--compile-autoload-package-json",
  "--compile-autoload-tsconfig",
];

const SOURCES = ["src", "commands", "templates", "package.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.ts"];

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(join(ROOT, p));
  return newest;
}

export function upToDate(outputs: string[]): boolean {
  if (!outputs.every((o) => existsSync(o))) return false;
  const oldestOutput = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return newestMtime(SOURCES) < oldestOutput;
}

/** The short git commit of the tree being built, or "unknown" outside git. */
function gitCommit(): string {
  const r = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
}

/**
 * `--define` of what `scryptorum --version --json` reports (src/build-info.ts).
 *
 * @example
 * buildDefine("linux-x64"); // --define SCRYPTORUM_BUILD={"commit":"…","date":"…","target":"linux-x64"}
 */
export function buildDefine(target: string): string[] {
  const info = { commit: gitCommit(), date: new Date().toISOString(), target };
  return ["--define", `SCRYPTORUM_BUILD=${JSON.stringify(info)}`];
}

/** This machine's release target name (`linux-x64`, `darwin-arm64`, ...). */
export const HOST_TARGET = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;

export function bun(args: string[], quiet: boolean): void {
  if (!quiet) process.stderr.write(`$ bun ${args.join(" ")}\n`);
  // The bundler inlines NODE_ENV from its own environment (bun test sets "test"): pin it.
  const env = { ...process.env, NODE_ENV: "production" };
  const r = Bun.spawnSync([process.execPath, ...args], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    throw new Error(`Failed: bun ${args.join(" ")}\n${r.stdout.toString()}${r.stderr.toString()}`);
  }
}

/** Builds to a temp file, then renames: a concurrent reader never sees half a file. */
export function bunBuild(entry: string, outfile: string, flags: string[], quiet: boolean): void {
  mkdirSync(dirname(outfile), { recursive: true });
  const ext = outfile.match(/(\.[a-z]+)$/)?.[1] ?? "";
  const tmp = `${outfile.slice(0, outfile.length - ext.length)}.tmp-${process.pid}${ext}`;
  try {
    bun(["build", ...flags, entry, "--outfile", tmp], quiet);
    renameSync(tmp, outfile);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Rewrites relative specifiers in emitted .d.ts files to `.js` (`./core/run` and
 * `./core/run.ts` become `./core/run.js`), so they resolve under `moduleResolution:
 * nodenext` as well as `bundler`.
 */
function fixDeclarationSpecifiers(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    const fixed = text.replace(/((?:from|import)\s*\(?\s*["'])(\.\.?\/[^"']+)(["'])/g, (all, pre: string, spec: string, post: string) => {
      const base = spec.replace(/\.ts$/, "");
      if (existsSync(join(entry.parentPath, `${base}.d.ts`))) return `${pre}${base}.js${post}`;
      if (existsSync(join(entry.parentPath, base, "index.d.ts"))) return `${pre}${base}/index.js${post}`;
      return all;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

function buildLibrary(quiet: boolean): void {
  const lib = join(DIST, "lib");
  rmSync(lib, { recursive: true, force: true });
  const common = ["--target=node", "--packages=external"];
  bunBuild("src/index.ts", join(lib, "index.mjs"), [...common, "--format=esm"], quiet);
  bunBuild("src/index.ts", join(lib, "index.cjs"), [...common, "--format=cjs"], quiet);
  if (!quiet) process.stderr.write("$ bunx tsc -p tsconfig.build.json\n");
  const tsc = Bun.spawnSync([process.execPath, "x", "tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (!existsSync(join(lib, "index.d.ts"))) {
    throw new Error(`Failed to emit declarations (tsc -p tsconfig.build.json):\n${tsc.stdout}${tsc.stderr}`);
  }
  if (tsc.exitCode !== 0 && !quiet) {
    process.stderr.write(`warning: tsc reported type errors; declarations were emitted anyway:\n${tsc.stdout}${tsc.stderr}`);
  }
  fixDeclarationSpecifiers(lib);
}

export function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

export interface BuildOptions {
  /** Also cross-compile every target and write SHA256SUMS. */
  all?: boolean;
  /** Rebuild even when the outputs are newer than the sources. */
  force?: boolean;
  /** Print nothing but errors. */
  quiet?: boolean;
}

/**
 * Builds what is out of date; returns the outputs and whether anything was built.
 *
 * @example
 * await build({ quiet: true }); // dist/scryptorum is now current
 */
export async function build(opts: BuildOptions = {}): Promise<{ built: boolean; outputs: string[] }> {
  return withBuildLock(() => buildLocked(opts));
}

/**
 * Runs `fn` holding the build lock (one builder of dist/ at a time across processes: the
 * test runner's workers build and release concurrently). Not re-entrant.
 *
 * @example
 * await withBuildLock(() => buildTarget("linux-x64"));
 */
export async function withBuildLock<T>(fn: () => T | Promise<T>): Promise<T> {
  const release = await lock();
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * One build at a time across processes (test runners may start several): a lock folder
 * holding the builder's pid; a lock whose process is gone is taken over.
 */
async function lock(): Promise<() => void> {
  const dir = join(DIST, ".build-lock");
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number(existsSync(join(dir, "pid")) ? readFileSync(join(dir, "pid"), "utf8") : NaN);
    let alive = true;
    try {
      if (pid) process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(dir, { recursive: true, force: true });
    else await Bun.sleep(100);
  }
}

function buildLocked(opts: BuildOptions): { built: boolean; outputs: string[] } {
  const quiet = !!opts.quiet;
  const main = [BINARY, join(DIST, "cli.mjs"), join(DIST, "launcher.mjs"), join(DIST, "lib", "index.mjs"), join(DIST, "lib", "index.cjs"), join(DIST, "lib", "index.d.ts")];
  const cross = opts.all ? [...TARGETS.map((t) => join(DIST, t.file)), join(DIST, "SHA256SUMS")] : [];
  const outputs = [...main, ...cross];
  if (!opts.force && upToDate(outputs)) {
    if (!quiet) process.stderr.write("dist/ is up to date (pass --force to rebuild)\n");
    return { built: false, outputs };
  }
  bunBuild("commands/cli.ts", BINARY, [...COMPILE_FLAGS, ...buildDefine(HOST_TARGET)], quiet);
  const cli = join(DIST, "cli.mjs");
  bunBuild("commands/cli.ts", cli, ["--target=node", "--format=esm", "--packages=external"], quiet);
  // The entry's own shebang names bun; the npm bin runs under Node.
  writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, "utf8").replace(/^#!.*\n(\/\/ @bun\n)?/, "")}`, { mode: 0o755 });
  const launcher = join(DIST, "launcher.mjs");
  bunBuild("src/npm/launcher.ts", launcher, ["--target=node", "--format=esm"], quiet);
  writeFileSync(launcher, `#!/usr/bin/env node\n${readFileSync(launcher, "utf8").replace(/^#!.*\n(\/\/ @bun\n)?/, "")}`, { mode: 0o755 });
  buildLibrary(quiet);
  if (opts.all) {
    for (const t of TARGETS) bunBuild("commands/cli.ts", join(DIST, t.file), [...COMPILE_FLAGS, `--target=${t.target}`, ...buildDefine(t.target.replace(/^bun-/, ""))], quiet);
    const sums = TARGETS.map((t) => `${sha256(join(DIST, t.file))}  ${t.file}`).join("\n");
    writeFileSync(join(DIST, "SHA256SUMS"), `${sums}\n`);
    const here = `bun-${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
    for (const t of TARGETS) {
      if (t.target !== here) {
        process.stderr.write(`${t.file}: built, not run here (${t.target})\n`);
        continue;
      }
      const r = Bun.spawnSync([join(DIST, t.file), "--version"], { stdout: "pipe", stderr: "pipe" });
      process.stderr.write(`${t.file}: built and run here: --version printed ${r.stdout.toString().trim() || `nothing (exit ${r.exitCode})`}\n`);
    }
  }
  if (!quiet) {
    for (const o of outputs) process.stderr.write(`${relative(ROOT, o)}  ${(statSync(o).size / 1024 / 1024).toFixed(1)} MiB\n`);
  }
  return { built: true, outputs };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--targets");
  const targets = at >= 0 ? (args[at + 1] ?? "").split(",").filter(Boolean) : undefined;
  const unknown = args.filter((a, i) => !["--all", "--force", "--release", "--targets"].includes(a) && !(at >= 0 && i === at + 1));
  if (unknown.length || (at >= 0 && !targets?.length)) {
    process.stderr.write(`error: ${unknown.length ? `unknown option ${unknown[0]}` : "--targets needs a comma-separated list"}: usage: bun run build [--all] [--release [--targets linux-x64,...]] [--force]\n`);
    process.exit(2);
  }
  try {
    await build({ all: args.includes("--all"), force: args.includes("--force") });
    if (args.includes("--release")) {
      const { release } = await import("./release");
      await release({ targets, force: args.includes("--force") });
      const { npmPackages } = await import("./npm-packages");
      for (const dir of await npmPackages({ targets })) process.stderr.write(`npm: ${relative(ROOT, dir)}\n`);
    }
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
