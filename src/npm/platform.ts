/**
 * The npm distribution of the native binary: one package per release target, each with
 * npm's `os`/`cpu`/`libc` fields so npm installs only the one that fits (as
 * `@biomejs/biome` does), listed in the `scryptorum` package's `optionalDependencies`; the
 * launcher (src/npm/launcher.ts) picks the installed one. Pure: no I/O here.
 */

/** The npm scope of the platform packages. */
export const NPM_SCOPE = "@scryptorum";

export interface PlatformPackage {
  /** The release target it carries (CONTRACT.md section 4). */
  target: string;
  /** `@scryptorum/cli-<os>-<cpu>[-musl]`, named by Node's `process.platform` and `process.arch`. */
  name: string;
  os: string;
  cpu: string;
  /** Linux only: npm's `libc` field. */
  libc?: "glibc" | "musl";
  /** The executable's file name at the package's top level. */
  exe: string;
  /** Said in messages: "Linux arm64 (musl)". */
  label: string;
}

function entry(target: string): PlatformPackage {
  const [os, cpu, musl] = target.split("-") as [string, string, string | undefined];
  const nodeOs = os === "windows" ? "win32" : os;
  const linux = nodeOs === "linux";
  const libc = linux ? (musl ? "musl" : "glibc") : undefined;
  const osLabel = { linux: "Linux", darwin: "macOS", win32: "Windows" }[nodeOs] ?? nodeOs;
  return {
    target,
    name: `${NPM_SCOPE}/cli-${nodeOs}-${cpu}${musl ? "-musl" : ""}`,
    os: nodeOs,
    cpu,
    ...(libc ? { libc } : {}),
    exe: nodeOs === "win32" ? "scryptorum.exe" : "scryptorum",
    label: `${osLabel} ${cpu}${libc ? ` (${libc})` : ""}`,
  };
}

/** One package per release target, in the order of scripts/release.ts's RELEASE_TARGETS. */
export const PLATFORM_PACKAGES: readonly PlatformPackage[] = [
  "linux-x64",
  "linux-x64-musl",
  "linux-arm64",
  "linux-arm64-musl",
  "darwin-x64",
  "darwin-arm64",
  "windows-x64",
].map(entry);

/**
 * The package whose binary runs on this platform, or undefined when none is published
 * for it (the launcher then runs the Node build).
 *
 * @example
 * platformPackage("linux", "arm64", "musl")?.name; // "@scryptorum/cli-linux-arm64-musl"
 * platformPackage("win32", "arm64", null); // undefined
 */
export function platformPackage(platform: string, arch: string, libc: "glibc" | "musl" | null): PlatformPackage | undefined {
  return PLATFORM_PACKAGES.find((p) => p.os === platform && p.cpu === arch && (p.os !== "linux" || p.libc === (libc ?? "glibc")));
}

/**
 * The libc family from the text of `/usr/bin/ldd` (a shell script on glibc, a link to the
 * musl loader on Alpine), as detect-libc reads it; null when it says neither.
 *
 * @example
 * libcFromLdd("#!/bin/bash\n# This file is part of the GNU C Library."); // "glibc"
 */
export function libcFromLdd(text: string): "glibc" | "musl" | null {
  if (text.includes("musl")) return "musl";
  if (text.includes("GNU C Library") || text.includes("GLIBC")) return "glibc";
  return null;
}

/**
 * What the launcher prints when this platform's package is not installed (npm left it
 * out: `--omit=optional`, or a lockfile or node_modules made on another platform).
 *
 * @example
 * missingPackageMessage(platformPackage("linux", "x64", "glibc")!, "0.2.0", []);
 */
export function missingPackageMessage(pkg: PlatformPackage, version: string, installedInstead: PlatformPackage[], nodeBuild = "node_modules/scryptorum/dist/cli.mjs"): string {
  const lines = [
    `scryptorum: the native binary for ${pkg.label} is missing: npm did not install the optional package ${pkg.name}@${version}.`,
    installedInstead.length
      ? `  Installed instead: ${installedInstead.map((p) => `${p.name} (${p.label})`).join(", ")}: node_modules was installed on another platform; reinstall it here.`
      : "  npm leaves it out under --omit=optional (or --no-optional), or with a package-lock.json made on another platform.",
    "  Fix: npm install --include=optional",
    "       (lockfile or node_modules from another platform: rm -rf node_modules package-lock.json && npm install)",
    "  Or install the binary without npm: curl -fsSL https://github.com/scryptorum/scryptorum/releases/latest/download/install.sh | sh",
    `  Or set SCRYPTORUM_BINARY to a scryptorum binary's path, or run the Node build: node ${nodeBuild}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The one-line note before the Node build runs where no binary is published.
 *
 * @example
 * noBinaryNote("freebsd", "x64"); // "scryptorum: no native binary for freebsd-x64 …"
 */
export function noBinaryNote(platform: string, arch: string): string {
  const have = [...new Set(PLATFORM_PACKAGES.map((p) => `${p.os}-${p.cpu}`))].join(", ");
  return `scryptorum: no native binary for ${platform}-${arch} (published: ${have}); running the Node build instead (slower to start)\n`;
}

/**
 * The exit code a shell reports for a process killed by a signal: 128 + its number.
 *
 * @example
 * signalExitCode("SIGTERM", { SIGTERM: 15 }); // 143
 */
export function signalExitCode(signal: string, numbers: Record<string, number | undefined>): number {
  return 128 + (numbers[signal] ?? 0);
}
