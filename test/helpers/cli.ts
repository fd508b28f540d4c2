/**
 * Running the CLI in tests: from source (`bun commands/cli.ts`) or as the compiled binary
 * (built once per test process), in fresh temp folders, with NO_COLOR=1 and none of the
 * caller's SCRYPTORUM_* variables.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { build, BINARY } from "../../scripts/build";

export const REPO = resolve(import.meta.dir, "../..");
export const CLI_SOURCE = join(REPO, "commands", "cli.ts");
export const FIXTURES = join(REPO, "test", "fixtures");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment entirely (like `env -i`). */
  cleanEnv?: boolean;
  timeoutMs?: number;
}

/** The caller's environment without SCRYPTORUM_* and colour variables, plus NO_COLOR=1. */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("SCRYPTORUM_") && k !== "FORCE_COLOR" && !k.startsWith("OPENAI_")) env[k] = v;
  }
  env.NO_COLOR = "1";
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Spawns a command and collects its exit code and output. */
export async function spawn(cmd: string[], opts: SpawnOptions): Promise<Result> {
  const env = opts.cleanEnv ? Object.fromEntries(Object.entries(opts.env ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string> : testEnv(opts.env);
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs the CLI from source: `bun commands/cli.ts …`. */
export function cli(args: string[], opts: SpawnOptions): Promise<Result> {
  return spawn([process.execPath, CLI_SOURCE, ...args], opts);
}

let built: Promise<string> | undefined;

/** Builds dist/scryptorum if it is out of date (once per test process) and returns its path. */
export function ensureBinary(): Promise<string> {
  built ??= build({ quiet: true }).then(() => BINARY);
  return built;
}

/** Runs the compiled binary. */
export async function bin(args: string[], opts: SpawnOptions): Promise<Result> {
  return spawn([await ensureBinary(), ...args], opts);
}

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "scryptorum-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (relative path -> contents) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
}

/** Copies a fixture project from test/fixtures into a fresh temp folder; returns the folder. */
export function fixture(name: string): string {
  const dir = tempDir(`scryptorum-${name}-`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** Every path under `dir` (files with their size and mtime), sorted: compare before/after to see that nothing changed. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = join(p, e.name);
      if (e.name === ".git") continue;
      if (e.isDirectory()) {
        out.push(`${relative(dir, full)}/`);
        visit(full);
      } else {
        const st = statSync(full);
        out.push(`${relative(dir, full)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  visit(dir);
  return out.sort();
}

/** Parses a JSON file. */
export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
