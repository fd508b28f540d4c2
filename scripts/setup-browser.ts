/**
 * `bun scripts/setup-browser.ts`
 *
 * Makes sure Debian's headless Chromium is at /usr/bin/chromium for the viewer's browser
 * tests (test/serve): a no-op when it is there, else `apt-get update && apt-get install -y
 * chromium`. playwright-core drives that binary; it never downloads a browser of its own.
 * Exits 0 either way: where Chromium cannot be had (not Linux, no apt-get, no root or
 * passwordless sudo) it says so, and the browser tests fail with that reason (they never
 * skip) while the other suites still run.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const CHROMIUM = "/usr/bin/chromium";

function sh(cmd: string[]): boolean {
  process.stderr.write(`$ ${cmd.join(" ")}\n`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

const has = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;

/** Installs Chromium when missing, where apt-get can; returns true when /usr/bin/chromium exists afterwards. */
export function setupBrowser(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.platform !== "linux" || !has("apt-get")) {
    process.stderr.write(`no ${CHROMIUM}, and no apt-get to install Debian's chromium package with (${process.platform})\n`);
    return false;
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const prefix = root ? [] : ["sudo", "-n"];
  if (!sh([...prefix, "apt-get", "update"]) || !sh([...prefix, "apt-get", "install", "-y", "chromium"])) {
    process.stderr.write(`could not install chromium with apt-get: install it by hand (apt-get install chromium)\n`);
  }
  return existsSync(CHROMIUM);
}

if (import.meta.main && !setupBrowser()) process.stderr.write("Chromium not installed: the browser tests will fail\n");
