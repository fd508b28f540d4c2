/**
 * Which platform package npm installs and the launcher runs, for other platforms, on this
 * machine: the seven packages made by scripts/npm-packages.ts around stand-in binaries
 * (shell scripts printing their target), packed, and installed with npm's `--os`, `--cpu`
 * and `--libc` (npm then checks the packages' own `os`/`cpu`/`libc` fields).
 */
import { beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { npmPackages } from "../../scripts/npm-packages";
import { archiveName, zipOne } from "../../scripts/release";
import { PLATFORM_PACKAGES } from "../../src/npm/platform";
import { VERSION } from "../../src/core/version";
import { spawn, tempDir } from "../helpers/cli";
import { fakeArchive } from "./fake-release";
import { npmPack, type Packed } from "./npm-project";

let packed: Packed[];
/** The scryptorum package folder (its launcher and package.json are copied into each project). */
let main: string;

beforeAll(async () => {
  const archives = tempDir("scry-npm-fake-release-");
  for (const p of PLATFORM_PACKAGES) {
    if (p.exe.endsWith(".exe")) writeFileSync(join(archives, archiveName(p.target)), zipOne(p.exe, Buffer.from(`#!/bin/sh\necho "${VERSION} ${p.target}"\n`)));
    else fakeArchive(archives, p.target, VERSION);
  }
  const out = tempDir("scry-npm-fake-");
  const dirs = await npmPackages({ from: archives, out });
  main = join(out, "scryptorum");
  packed = await npmPack(dirs.filter((d) => basename(d) !== "scryptorum"));
}, 120_000);

/** A project whose optionalDependencies are the seven packed packages, installed as another platform would. */
async function installAs(flags: string[]): Promise<string> {
  const dir = tempDir("scry-npm-as-");
  const optionalDependencies = Object.fromEntries(packed.map((p) => [p.manifest.name, `file:${p.file}`]));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "as", private: true, optionalDependencies }));
  const r = await spawn(["npm", "install", "--offline", "--no-audit", "--no-fund", ...flags], { cwd: dir, timeoutMs: 120_000 });
  expect(r.code).toBe(0);
  // The launcher where npm puts it (it resolves the platform packages from there).
  mkdirSync(join(dir, "node_modules", "scryptorum", "dist"), { recursive: true });
  for (const f of ["package.json", "dist/launcher.mjs"]) copyFileSync(join(main, f), join(dir, "node_modules", "scryptorum", f));
  return dir;
}

const launcherIn = (dir: string) => join(dir, "node_modules", "scryptorum", "dist", "launcher.mjs");
const installed = (dir: string) => readdirSync(join(dir, "node_modules", "@scryptorum")).sort();

/** One install per dimension npm checks: libc, cpu, os (macOS, Windows). */
const CASES: [string[], string][] = [
  [["--os=linux", "--cpu=x64", "--libc=musl"], "cli-linux-x64-musl"],
  [["--os=linux", "--cpu=arm64", "--libc=glibc"], "cli-linux-arm64"],
  [["--os=darwin", "--cpu=arm64"], "cli-darwin-arm64"],
  [["--os=win32", "--cpu=x64"], "cli-win32-x64"],
];
let projects: string[];

test("npm installs only the package whose os, cpu and libc fit", async () => {
  projects = await Promise.all(CASES.map(([flags]) => installAs(flags)));
  expect(projects.map(installed)).toEqual(CASES.map(([, pkg]) => [pkg]));
}, 120_000);

test("the launcher runs the package for the platform Node reports; names the one npm left out", async () => {
  const dir = projects[1]!; // installed as linux arm64 glibc
  // As on an arm64 Linux machine: process.arch says arm64.
  const preload = join(dir, "arm64.mjs");
  writeFileSync(preload, 'Object.defineProperty(process, "arch", { value: "arm64" });\n');
  const arm = await spawn(["node", "--import", preload, launcherIn(dir), "--version"], { cwd: dir });
  expect(arm.stdout).toBe(`${VERSION} linux-arm64\n`);
  expect(arm.code).toBe(0);
  // This x64 machine with node_modules from an arm64 one: the x64 package is missing.
  const here = await spawn(["node", launcherIn(dir), "--version"], { cwd: dir });
  expect(here.code).toBe(1);
  expect(here.stderr).toContain(`@scryptorum/cli-linux-x64@${VERSION}`);
  expect(here.stderr).toContain("Installed instead: @scryptorum/cli-linux-arm64 (Linux arm64 (glibc)): node_modules was installed on another platform");
}, 60_000);
