/**
 * Running the CLI in tests: in this process through the dispatcher (`cmd`, for commands
 * other than `run`), from source (`bun commands/cli.ts`) or as the compiled binary (built
 * once per test process), in fresh temp folders, with NO_COLOR=1 and none of the caller's
 * SCRYPTORUM_* variables.
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

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs a command in this process through the dispatcher and the entry's error handling
 * (`runCli`, the code the binary runs), with `cwd` as the working folder, the environment
 * `cli()` would give, stdout and stderr captured and not a terminal. Calls run one at a
 * time (the working folder, environment and streams are the process's), so
 * `test.concurrent` stays safe. For commands other than `run`, whose user code and
 * process handlers want a process of their own (use `cli()` or `bin()` there).
 */
export function cmd(args: string[], opts: SpawnOptions): Promise<Result> {
  const next = queue.then(() => inProcess(args, opts));
  queue = next.catch(() => undefined);
  return next;
}

async function inProcess(args: string[], opts: SpawnOptions): Promise<Result> {
  const [{ runCli }, { main }, { drainOutput }] = await Promise.all([import("../../src/cli/entry"), import("../../commands/index"), import("../../src/cli/output")]);
  const env = opts.cleanEnv ? Object.fromEntries(Object.entries(opts.env ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string> : testEnv(opts.env);
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const captured = { stdout: "", stderr: "" };
  const restore: Array<() => void> = [];
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const { write } = stream;
    const tty = Object.getOwnPropertyDescriptor(stream, "isTTY");
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      captured[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
    Object.defineProperty(stream, "isTTY", { value: false, configurable: true, writable: true });
    restore.push(() => {
      stream.write = write;
      if (tty) Object.defineProperty(stream, "isTTY", tty);
      else delete (stream as { isTTY?: boolean }).isTTY;
    });
  }
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  try {
    process.chdir(opts.cwd);
    const code = await runCli(main, args);
    await drainOutput();
    return { code, ...captured };
  } finally {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    for (const undo of restore) undo();
  }
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
