/** What the numbers were measured on: cores, CPU model, memory, OS, runtimes, load. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { PEERS_DIR } from "./peers";

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  bun: string;
  node: string;
  nodeForPromptfoo: string;
  loadStart: number[];
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

export function describeMachine(): Machine {
  const cpu = /Model name:\s*(.+)/.exec(run("lscpu", []))?.[1]?.trim() ?? "unknown";
  let os = `${process.platform} ${release()}`;
  if (existsSync("/etc/os-release")) {
    const pretty = /PRETTY_NAME="?([^"\n]+)/.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    if (pretty) os = `${pretty}, kernel ${release()}`;
  }
  const npmNode = join(PEERS_DIR, "node_modules", "node", "bin", "node");
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os,
    bun: Bun.version,
    node: run("node", ["--version"]) || "not on PATH",
    nodeForPromptfoo: existsSync(npmNode) ? run(npmNode, ["--version"]) : "missing",
    loadStart: loadavg(),
  };
}
