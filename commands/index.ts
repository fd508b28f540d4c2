/** The root command; subcommands load lazily, with literal paths so the bundler keeps them. */
import { defineCommand } from "citty";
import { VERSION } from "../src/core/version";

/**
 * One line per command for the root `--help`, kept here so that listing the commands loads
 * none of them (each import costs start-up time). A test checks them against each
 * command's own `meta.description`.
 */
export const descriptions: Record<string, string> = {
  init: "Set scryptorum up in this repository: .scryptorum and the project root",
  "create-project": "Create a standalone project folder with a runnable example",
  "create-experiment": "Create an experiment: runs/, data/, config/, prompts/",
  "list-experiments": "List the project's experiments with their run counts",
  "list-runs": "List an experiment's runs: id, type, status, start, duration, metrics",
  run: "Run your code inside a new run of an experiment: a trial, or a kept milestone",
  show: "Show a run: header, metrics, timings, LLM calls (and the span tree with --tree)",
  compare: "Compare runs side by side: metrics, timings, tokens and cost, with deltas from a baseline",
  diff: "Show what changed between two runs: config, prompts and (milestones) the code snapshot",
  prompts: "List the prompt versions an experiment's runs rendered, with the runs that used each",
  rescore: "Score a finished eval run's stored outputs with new or changed scorers into a new run, without calling the task's model",
  check: "Gate CI on a run: exit 0 when every rule holds, 1 when one fails",
  export: "Export runs as CSV, JSON or a Markdown table, or send them as OpenTelemetry traces (--format otlp)",
  cache: "The response cache that SCRYPTORUM_CACHE=1 fills (in the project's cache/ folder): stats, clear",
  serve: "Browse the project's runs in a local web viewer (loopback only by default; Ctrl-C stops it)",
  upgrade: "Replace this scryptorum binary with the latest release (or --version <tag>), checksum-verified",
  remote: "Team buckets (S3-compatible) in .scryptorum: add, list, remove, check",
  push: "Push milestones (or --runs) to a team bucket: only what is new, each machine its own objects",
  pull: "Pull runs from a team bucket into ordinary local runs, every writer merged, every blob checked",
  report: "Write one self-contained HTML file comparing runs (default: the latest 20), to attach to a pull request or send",
};

export const main = Object.assign(defineCommand({
  meta: {
    name: "scryptorum",
    version: VERSION,
    description: "Local-first tracking for LLM experiments: runs as plain JSONL files",
  },
  subCommands: {
    init: () => import("./init").then((m) => m.default),
    "create-project": () => import("./create-project").then((m) => m.default),
    "create-experiment": () => import("./create-experiment").then((m) => m.default),
    "list-experiments": () => import("./list-experiments").then((m) => m.default),
    "list-runs": () => import("./list-runs").then((m) => m.default),
    run: () => import("./run").then((m) => m.default),
    show: () => import("./show").then((m) => m.default),
    compare: () => import("./compare").then((m) => m.default),
    diff: () => import("./diff").then((m) => m.default),
    prompts: () => import("./prompts").then((m) => m.default),
    rescore: () => import("./rescore").then((m) => m.default),
    check: () => import("./check").then((m) => m.default),
    export: () => import("./export").then((m) => m.default),
    cache: () => import("./cache").then((m) => m.default),
    serve: () => import("./serve").then((m) => m.default),
    remote: () => import("./remote").then((m) => m.default),
    push: () => import("./push").then((m) => m.default),
    pull: () => import("./pull").then((m) => m.default),
    report: () => import("./report").then((m) => m.default),
    upgrade: () => import("./upgrade").then((m) => m.default),
  },
}), { descriptions });
