/**
 * The npm distribution, through npm itself: the linux-x64 platform package made by the
 * release build and the `scryptorum` package are packed (`scryptorum` with `npm pack`, the
 * platform package as `npm pack` would, at a faster gzip level: npmPackFast) and installed
 * from the tarballs into temp projects (offline). `npx scryptorum` runs the native binary;
 * exit codes and SIGINT/SIGTERM go through the launcher exactly; SCRYPTORUM_BINARY
 * overrides the binary; `--omit=optional` gives the message naming the missing package;
 * an unpublished platform runs the Node build after a one-line note; the library imports
 * under Node.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npmPackages } from "../../scripts/npm-packages";
import { release } from "../../scripts/release";
import { VERSION } from "../../src/core/version";
import { readJson, spawn, tempDir, testEnv, writeFiles } from "../helpers/cli";
import { npmInstall, npmPack, npmPackFast, npmProject } from "./npm-project";

/** A project with the platform package installed, and one installed with --omit=optional. */
let full: string;
let omitted: string;

beforeAll(async () => {
  await release({ targets: ["linux-x64"] });
  const [platformDir, mainDir] = await npmPackages({ targets: ["linux-x64"] });
  const [[main], platform] = await Promise.all([npmPack([mainDir!]), npmPackFast(platformDir!)]);
  full = npmProject(main!, [platform!]);
  omitted = npmProject(main!, [platform!]);
  await Promise.all([npmInstall(full), npmInstall(omitted, "--omit=optional")]);
  for (const dir of [full, omitted]) {
    writeFiles(dir, {
      "hello.ts": 'import { experiment, metric } from "scryptorum";\nexport const hello = experiment("hello")(() => metric("answer")(() => 42)());\n',
      // Prints "ready" once its run is open, then waits to be stopped.
      "slow.ts": 'import { experiment, metric } from "scryptorum";\nexport const slow = experiment("slow")(async () => {\n  metric("started")(() => 1)();\n  console.log("ready");\n  await new Promise((r) => setTimeout(r, 60_000));\n});\n',
    });
  }
}, 300_000);

const scryptorum = (dir: string) => join(dir, "node_modules", ".bin", "scryptorum");
const run = (dir: string, args: string[], env: Record<string, string | undefined> = {}) => spawn([scryptorum(dir), ...args], { cwd: dir, env, timeoutMs: 60_000 });

test("the installed packages: the platform package's binary is executable, no install scripts", () => {
  const bin = join(full, "node_modules", "@scryptorum", "cli-linux-x64", "scryptorum");
  expect(existsSync(bin)).toBe(true);
  expect(Bun.spawnSync(["test", "-x", bin]).exitCode).toBe(0);
  const main = readJson(join(full, "node_modules", "scryptorum", "package.json"));
  expect(main.scripts).toBeUndefined();
  expect(main.bin).toEqual({ scryptorum: "./dist/launcher.mjs" });
  expect(main.optionalDependencies["@scryptorum/cli-linux-x64"]).toBe(VERSION);
  expect(existsSync(join(omitted, "node_modules", "@scryptorum"))).toBe(false);
});

test("npx scryptorum runs the native binary: --version --json, then init and a trial run", async () => {
  const v = await spawn(["npx", "--offline", "scryptorum", "--version", "--json"], { cwd: full, timeoutMs: 60_000 });
  expect(v.code).toBe(0);
  const info = JSON.parse(v.stdout);
  expect(info).toMatchObject({ version: VERSION, target: "linux-x64" });
  expect(info.bun_version).not.toBeNull(); // the Bun-compiled binary, not the Node build
  expect((await run(full, ["init", "--project-name", "npm"])).code).toBe(0);
  const r = await spawn(["npx", "--offline", "scryptorum", "run", "hello", "-s", "hello.ts", "--json"], { cwd: full, timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const runs = await run(full, ["list-runs", "hello", "--json"]);
  expect(runs.code).toBe(0);
  expect(JSON.parse(runs.stdout)[0]).toMatchObject({ run_type: "trial", status: "finished", metrics: { answer: 42 } });
}, 120_000);

test("bad input: the binary's exit 2 and message come through the launcher", async () => {
  const r = await run(full, ["run", "hello", "-s", "missing.ts"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("missing.ts");
}, 60_000);

/** Starts a trial that waits, signals the launcher once the run is open, returns its code and the run's status. */
async function interrupt(signal: "SIGINT" | "SIGTERM", experimentName: string): Promise<{ code: number | null; status: string }> {
  const dir = full;
  writeFileSync(join(dir, `${experimentName}.ts`), readFileSync(join(dir, "slow.ts"), "utf8").replaceAll('"slow"', `"${experimentName}"`).replace("export const slow", `export const ${experimentName}`));
  const proc = Bun.spawn([scryptorum(dir), "run", experimentName, "-s", `${experimentName}.ts`], { cwd: dir, env: testEnv(), stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let seen = "";
  const deadline = Date.now() + 45_000;
  while (!seen.includes("ready") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  expect(seen).toContain("ready");
  proc.kill(signal); // the launcher's pid, not the binary's
  const code = await proc.exited;
  const runJson = join(dir, "experiments", "npm", "experiments", experimentName, "runs", "trial_run", "run.json");
  return { code, status: readJson(runJson).status };
}

test("SIGINT to the launcher reaches the binary: exit 130, the run recorded as interrupted", async () => {
  expect(await interrupt("SIGINT", "stopint")).toEqual({ code: 130, status: "interrupted" });
}, 60_000);

test("SIGTERM to the launcher reaches the binary: exit 143, the run recorded as interrupted", async () => {
  expect(await interrupt("SIGTERM", "stopterm")).toEqual({ code: 143, status: "interrupted" });
}, 60_000);

test("SCRYPTORUM_BINARY overrides the binary: arguments and exit code pass through; a signal death is not exit 0", async () => {
  const dir = tempDir("scry-npm-override-");
  writeFileSync(join(dir, "fake"), '#!/bin/sh\necho "fake: $*"\nexit 7\n', { mode: 0o755 });
  writeFileSync(join(dir, "dies"), "#!/bin/sh\nkill -TERM $$\nsleep 5\n", { mode: 0o755 });
  const r = await run(omitted, ["run", "a b", "--json"], { SCRYPTORUM_BINARY: join(dir, "fake") });
  expect(r.stdout).toBe("fake: run a b --json\n");
  expect(r.code).toBe(7);
  const proc = Bun.spawn([scryptorum(omitted), "--version"], { cwd: dir, env: testEnv({ SCRYPTORUM_BINARY: join(dir, "dies") }), stdout: "pipe", stderr: "pipe" });
  await proc.exited;
  expect(proc.signalCode).toBe("SIGTERM"); // re-raised: a shell sees 143
  const missing = await run(omitted, ["--version"], { SCRYPTORUM_BINARY: join(dir, "nope") });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`SCRYPTORUM_BINARY=${join(dir, "nope")} is not a file`);
}, 60_000);

test("--omit=optional: the launcher names the missing platform package and the fixes; the library still imports under Node", async () => {
  const r = await run(omitted, ["--version"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(`npm did not install the optional package @scryptorum/cli-linux-x64@${VERSION}`);
  expect(r.stderr).toContain("npm install --include=optional");
  expect(r.stderr).toContain("install.sh | sh");
  const node = await spawn(["node", "--version"], { cwd: omitted });
  expect(node.stdout).toMatch(/^v20\./);
  const lib = await spawn(["node", "--input-type=module", "-e", 'const m = await import("scryptorum"); console.log(typeof m.experiment, typeof m.metric)'], { cwd: omitted });
  expect(lib.stdout.trim()).toBe("function function");
  expect(lib.code).toBe(0);
}, 60_000);

test("a platform with no published binary runs the Node build after a one-line note", async () => {
  // Node reports this process as ppc64: no @scryptorum/cli-linux-ppc64 exists.
  const preload = join(tempDir("scry-npm-arch-"), "ppc64.mjs");
  writeFileSync(preload, 'Object.defineProperty(process, "arch", { value: "ppc64" });\n');
  const launcher = join(full, "node_modules", "scryptorum", "dist", "launcher.mjs");
  const r = await spawn(["node", "--import", preload, launcher, "--version", "--json"], { cwd: full, timeoutMs: 60_000 });
  expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining("scryptorum: no native binary for linux-ppc64 (published: linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64); running the Node build")]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ version: VERSION, bun_version: null });
}, 60_000);

test("Ctrl-C in a terminal reaches the binary once: a graceful SIGINT handler in the experiment gets to finish", async () => {
  // A terminal (script(1) makes a pty) delivers ^C to its foreground process group, the
  // launcher and the binary both: the launcher must not send it again (a second SIGINT
  // makes scryptorum stop at once).
  writeFileSync(join(full, "graceful.ts"), 'import { experiment, metric } from "scryptorum";\nexport const graceful = experiment("graceful")(async () => {\n  metric("started")(() => 1)();\n  process.on("SIGINT", () => setTimeout(() => { console.log("graceful stop"); process.exit(0); }, 300));\n  console.log("ready");\n  await new Promise((r) => setTimeout(r, 60_000));\n});\n');
  // bash -c execs a lone command: the launcher leads the terminal's foreground group.
  const proc = Bun.spawn(["script", "-qec", `${scryptorum(full)} run graceful -s graceful.ts`, "/dev/null"], { cwd: full, env: testEnv({ SHELL: "/bin/bash" }), stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let seen = "";
  const read = async (until?: string) => {
    for (const deadline = Date.now() + 45_000; Date.now() < deadline && !(until && seen.includes(until)); ) {
      const { value, done } = await reader.read();
      if (done) return;
      seen += new TextDecoder().decode(value);
    }
  };
  await read("ready");
  expect(seen).toContain("ready");
  proc.stdin.write("\x03");
  await proc.stdin.flush();
  await read();
  expect(seen).toContain("graceful stop");
  expect(await proc.exited).toBe(130);
  expect(readJson(join(full, "experiments", "npm", "experiments", "graceful", "runs", "trial_run", "run.json")).status).toBe("interrupted");
}, 60_000);
