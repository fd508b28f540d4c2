/**
 * `bun scripts/setup-tools.ts`
 *
 * Installs the Debian packages the release tests use when they are missing: shellcheck
 * (lints install.sh), dash (install.sh must run under a POSIX sh, not only bash), and
 * qemu-user-static with libc6-arm64-cross (runs the linux-arm64 binary on x64). One
 * `apt-get update` at most. Fails loudly: a test cannot skip for want of a tool.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** The file each package provides, by package. */
export const TOOLS: Record<string, string> = {
  shellcheck: "/usr/bin/shellcheck",
  dash: "/usr/bin/dash",
  "qemu-user-static": "/usr/bin/qemu-aarch64-static",
  "libc6-arm64-cross": "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1",
};

function sh(cmd: string[]): boolean {
  process.stderr.write(`$ ${cmd.join(" ")}\n`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

export function setupTools(): string[] {
  const missing = Object.entries(TOOLS).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return [];
  const prefix = typeof process.getuid === "function" && process.getuid() === 0 ? [] : ["sudo", "-n"];
  if (!sh([...prefix, "apt-get", "install", "-y", ...missing])) {
    sh([...prefix, "apt-get", "update"]);
    sh([...prefix, "apt-get", "install", "-y", ...missing]);
  }
  return Object.entries(TOOLS).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
}

if (import.meta.main) {
  const still = setupTools();
  if (still.length) {
    process.stderr.write(`could not install ${still.join(", ")} with apt-get: install them by hand; the release tests need them\n`);
    process.exit(1);
  }
}
