/**
 * `bun run bench:peers [--write]`: scryptorum against the tools people would pick instead.
 *
 * Installs this folder's own packages (npm, with its lockfile) the first time, then runs
 * bench.ts with every phone-home switch off and, where the machine allows it (Linux,
 * `unshare -n`), inside a fresh network namespace whose only interface is loopback, so
 * nothing can leave the machine whatever a peer tries. `--write` puts the results in
 * the root BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { quietEnv } from "./env";

const dir = import.meta.dir;

// npm writes node_modules/.package-lock.json last: its absence means no (complete) install.
if (!existsSync(join(dir, "node_modules", ".package-lock.json"))) {
  process.stderr.write("bench/peers: installing the peers (npm install, once; a few minutes)…\n");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit", env: { ...process.env, ...quietEnv() } });
  if (r.status !== 0) {
    process.stderr.write(`bench/peers: npm install failed (exit ${r.status ?? r.error?.message}); fix the error above and run again\n`);
    process.exit(1);
  }
}

const bench = [process.execPath, join(dir, "bench.ts"), ...process.argv.slice(2)];

/** `unshare -n` with loopback brought up, when this machine lets us make a namespace. */
function sandboxed(): string[] | undefined {
  if (process.platform !== "linux" || process.env.PEERS_NO_NETNS) return undefined;
  const probe = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { stdio: "ignore" });
  if (probe.status !== 0) return undefined;
  return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...bench];
}

const fenced = sandboxed();
const fence = fenced
  ? "run in a new network namespace with loopback only (unshare -n), plus an in-process guard"
  : "no network namespace (unshare -n unavailable, or PEERS_NO_NETNS set): the in-process guard refuses non-loopback connections; child CLIs rely on their opt-out env vars";
process.stderr.write(`bench/peers: ${fence}\n`);
const cmd = fenced ?? bench;
const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit", env: { ...process.env, ...quietEnv(), PEERS_FENCE: fence } });
process.exit(r.status ?? 1);
