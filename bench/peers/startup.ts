/**
 * CLI start-up, interleaved round by round: `scryptorum --help` (the compiled binary),
 * `promptfoo --version` (run by the Node that promptfoo requires, shipped by npm's `node`
 * package in this folder) and a compiled citty hello-world `--help` (the floor).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { quietEnv } from "./env";
import { PEERS_DIR } from "./peers";
import { median } from "./rounds";

const ROOT = join(PEERS_DIR, "../..");
const require = createRequire(join(PEERS_DIR, "package.json"));

export interface Command {
  name: string;
  argv: string[];
  /** Why it cannot run, when it cannot. */
  na?: string;
  version?: string;
}

export interface StartupResult {
  commands: Command[];
  /** Median ms per command name (absent when n/a). */
  ms: Record<string, number>;
  rounds: number;
}

/** The scryptorum binary, built with `bun run build` when missing. */
export function scryptorumCommand(): Command {
  const binary = join(ROOT, "dist", process.platform === "win32" ? "scryptorum.exe" : "scryptorum");
  if (!existsSync(binary)) {
    process.stderr.write("dist/scryptorum is missing: running `bun run build`…\n");
    const r = spawnSync(process.execPath, ["run", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 });
    if (r.status !== 0 || !existsSync(binary)) {
      return { name: "scryptorum --help", argv: [], na: "dist/scryptorum is missing and `bun run build` did not make it (run it in the repo root, then again)" };
    }
  }
  return { name: "scryptorum --help", argv: [binary, "--help"] };
}

export function promptfooCommand(): Command {
  const pkgPath = require.resolve("promptfoo/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string; bin: Record<string, string>; engines?: { node?: string } };
  const entry = join(dirname(pkgPath), pkg.bin.promptfoo!);
  // promptfoo refuses a Node older than its engines range; npm's `node` package ships one
  // (its install script fetches the binary from the npm registry), else the Node on PATH.
  const shipped = join(PEERS_DIR, "node_modules", "node", "bin", "node");
  const wanted = pkg.engines?.node ?? "";
  const node = existsSync(shipped) ? shipped : satisfies(nodeVersion("node"), wanted) ? "node" : undefined;
  if (!node) {
    return {
      name: "promptfoo --version",
      argv: [],
      na: `promptfoo ${pkg.version} needs Node ${wanted}; the Node on PATH is ${nodeVersion("node") || "missing"} and npm's \`node\` package did not install its binary (were install scripts blocked?)`,
    };
  }
  return { name: "promptfoo --version", argv: [node, entry, "--version"], version: pkg.version };
}

function nodeVersion(node: string): string {
  const r = spawnSync(node, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

/** Enough of semver for an engines range of the form ">=X.Y.Z". */
function satisfies(version: string, range: string): boolean {
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  const v = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!v) return false;
  if (!min) return range.trim() === "";
  for (let i = 1; i <= 3; i++) if (Number(v[i]) !== Number(min[i])) return Number(v[i]) > Number(min[i]);
  return true;
}

function citty(dir: string): Command {
  const out = join(dir, "hello-citty");
  const r = spawnSync(process.execPath, ["build", "--compile", "--minify", join(PEERS_DIR, "hello-citty.ts"), "--outfile", out], {
    cwd: PEERS_DIR,
    encoding: "utf8",
  });
  if (r.status !== 0) return { name: "citty hello-world --help", argv: [], na: `bun build --compile failed: ${r.stderr.trim().split("\n")[0]}` };
  return { name: "citty hello-world --help", argv: [out, "--help"] };
}

function once(cmd: Command, cwd: string, env: Record<string, string>): number {
  const t0 = performance.now();
  const r = spawnSync(cmd.argv[0]!, cmd.argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd.name} exited ${r.status}: ${String(r.stderr).trim().slice(0, 300)}`);
  return ms;
}

export function benchStartup(rounds: number): StartupResult {
  const dir = mkdtempSync(join(tmpdir(), "scry-peers-cli-"));
  const commands = [scryptorumCommand(), promptfooCommand(), citty(dir)];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...quietEnv(),
    PROMPTFOO_CONFIG_DIR: join(dir, "promptfoo"),
  };
  const samples: Record<string, number[]> = {};
  for (const c of commands) if (!c.na) samples[c.name] = [];
  // Two warm-up rounds fill the page cache; then every round runs each command once.
  for (let r = 0; r < rounds + 2; r++) {
    for (const c of commands) {
      if (c.na) continue;
      try {
        const ms = once(c, dir, env);
        if (r >= 2) samples[c.name]!.push(ms);
      } catch (error) {
        c.na = (error as Error).message;
        delete samples[c.name];
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  return { commands, ms, rounds };
}
