/**
 * The `scryptorum` command of the npm package (built to dist/launcher.mjs, run by Node).
 * No postinstall (npm 11 blocks dependency install scripts): at every start it finds the
 * binary and runs it, as a child with the same arguments, stdio and environment.
 *
 * 1. `SCRYPTORUM_BINARY` set: that file.
 * 2. Else this platform's package (src/npm/platform.ts), found with require.resolve; when
 *    npm left it out, a message naming it and the fix, exit 1.
 * 3. Where no binary is published (FreeBSD, Windows arm64, …): the Node build
 *    (dist/cli.mjs), after a one-line note.
 *
 * Signals reach the child once and its outcome comes back exactly: its exit code, or, when
 * a signal killed it, the same signal re-raised here (so a shell sees 128 + n, never 0).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { libcFromLdd, missingPackageMessage, noBinaryNote, PLATFORM_PACKAGES, platformPackage, signalExitCode, type PlatformPackage } from "./platform";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** glibc or musl, read as npm and detect-libc do: `/usr/bin/ldd`'s text, else the process report. */
function libc(): "glibc" | "musl" | null {
  if (process.platform !== "linux") return null;
  try {
    const found = libcFromLdd(readFileSync("/usr/bin/ldd", "latin1"));
    if (found) return found;
  } catch {
    // No ldd (a distroless image): ask Node.
  }
  const report = process.report as unknown as { excludeNetwork?: boolean; getReport(): { header?: { glibcVersionRuntime?: string } } };
  report.excludeNetwork = true;
  return report.getReport().header?.glibcVersionRuntime ? "glibc" : "musl";
}

function resolveBinary(pkg: PlatformPackage): string | null {
  try {
    return require.resolve(`${pkg.name}/${pkg.exe}`);
  } catch {
    return null;
  }
}

function ownVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "latest";
  }
}

/**
 * Whether this process sits in its terminal's foreground process group. A Ctrl-C (SIGINT,
 * SIGQUIT) or a hang-up then reached the child too, since it shares the group: forwarding
 * would deliver it twice, and scryptorum takes a second SIGINT as "stop now".
 */
function inForegroundGroup(): boolean {
  try {
    if (process.platform === "linux") {
      const stat = readFileSync("/proc/self/stat", "utf8");
      const [, , pgrp, , , tpgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(tpgid) > 0 && pgrp === tpgid;
    }
    const [pgid, tpgid] = execFileSync("ps", ["-o", "pgid=,tpgid=", "-p", String(process.pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split(/\s+/);
    return Number(tpgid) > 0 && pgid === tpgid;
  } catch {
    return false;
  }
}

const TERMINAL_SIGNALS = new Set(["SIGINT", "SIGQUIT", "SIGHUP"]);
/** Listened to (Windows: only those libuv knows there; listening to SIGQUIT would throw). */
const FORWARDED: NodeJS.Signals[] = process.platform === "win32" ? ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

function run(binary: string): void {
  const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => {
    // Windows delivers Ctrl-C/Ctrl-Break to every process on the console, and kill() there
    // is a hard kill: only stay alive until the binary exits.
    if (process.platform === "win32") return;
    if (TERMINAL_SIGNALS.has(signal) && inForegroundGroup()) return;
    child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  child.on("error", (error: NodeJS.ErrnoException) => {
    process.stderr.write(`scryptorum: cannot start ${binary}: ${error.code ?? error.message}${error.code === "EACCES" ? " (not executable: chmod +x it, or reinstall)" : ""}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    if (signal) {
      if (process.platform !== "win32") process.kill(process.pid, signal);
      // Still here (the signal is ignored in this process, or Windows): say it in the code.
      setTimeout(() => process.exit(signalExitCode(signal, constants.signals as Record<string, number>)), 50);
      return;
    }
    process.exit(code ?? 1);
  });
}

async function main(): Promise<void> {
  const override = process.env.SCRYPTORUM_BINARY;
  if (override) {
    if (!existsSync(override) || !statSync(override).isFile()) {
      process.stderr.write(`scryptorum: SCRYPTORUM_BINARY=${override} is not a file: point it at a scryptorum binary, or unset it to use the one npm installed\n`);
      process.exit(2);
    }
    return run(override);
  }
  const pkg = platformPackage(process.platform, process.arch, libc());
  if (!pkg) {
    process.stderr.write(noBinaryNote(process.platform, process.arch));
    await import(pathToFileURL(join(here, "cli.mjs")).href);
    return;
  }
  const binary = resolveBinary(pkg);
  if (binary) return run(binary);
  const instead = PLATFORM_PACKAGES.filter((p) => p !== pkg && resolveBinary(p));
  process.stderr.write(missingPackageMessage(pkg, ownVersion(), instead, join(here, "cli.mjs")));
  process.exit(1);
}

await main();
